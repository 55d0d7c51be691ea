"""The SQL reader the query-shape tests rely on, on statements written by hand."""

from tests.performance.sql_shape import compares_unit_codes, ors_over_subselects


def test_an_or_over_a_sub_select_is_found():
    sql = (
        'SELECT "d"."id" FROM "d" WHERE ("d"."unit_id" IN (1, 2) OR "d"."delegation_id" IN '
        '(SELECT U0."id" FROM "g" U0 WHERE U0."delegator_id" = 3)) ORDER BY "d"."decided_on" DESC'
    )
    assert len(ors_over_subselects(sql)) == 1


def test_an_exists_or_ed_with_a_column_test_is_found():
    sql = 'SELECT 1 FROM "c" WHERE ("c"."unit_id" IN (4) OR EXISTS(SELECT 1 FROM "p" WHERE x))'
    assert ors_over_subselects(sql)


def test_ors_of_id_lists_and_a_sub_select_anded_are_not_reported():
    sql = (
        'SELECT "d"."id" FROM "d" WHERE (("d"."unit_id" IN (1, 2) OR "d"."delegation_id" IN (7))'
        ' AND "d"."id" IN (SELECT U0."decision_id" FROM "t" U0 WHERE U0."paragraph_id" IN (9)))'
    )
    assert ors_over_subselects(sql) == []


def test_an_or_inside_a_sub_select_over_plain_columns_is_not_reported():
    sql = 'SELECT 1 FROM "a" WHERE "a"."d_id" IN (SELECT "id" FROM "d" WHERE ("x" = 1 OR "y" = 2))'
    assert ors_over_subselects(sql) == []


def test_unit_code_comparisons():
    joined = (
        'SELECT "d"."id" FROM "d" INNER JOIN "org_orgunit" ON ("d"."unit_id" = "org_orgunit"."id")'
        ' WHERE "org_orgunit"."code" = \'DMSPC\''
    )
    resolving = 'SELECT "org_orgunit"."id" FROM "org_orgunit" WHERE "org_orgunit"."code" = \'X\''
    assert compares_unit_codes(joined)
    assert not compares_unit_codes(resolving)

"""The demo and scale data every other app's seed builds on: org units, people, accounts, roles."""

import json
import operator
import random

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models.base import ModelState

from core import history
from org.choices import Grade, RoleKind, UnitKind
from org.models import OrgUnit, Person, Role

# (code, name, name_zh, kind, parent)
DEMO_UNITS = [
    ("UNSEC", "United Nations Secretariat", "联合国秘书处", UnitKind.SECRETARIAT, None),
    ("EOSG", "Executive Office of the Secretary-General", "秘书长办公厅", UnitKind.OFFICE, "UNSEC"),
    (
        "DMSPC",
        "Department of Management Strategy, Policy and Compliance",
        "管理战略、政策和合规部",
        UnitKind.DEPARTMENT,
        "UNSEC",
    ),
    (
        "DMSPC-OPPFB",
        "Office of Programme Planning, Finance and Budget",
        "方案规划、财务和预算厅",
        UnitKind.OFFICE,
        "DMSPC",
    ),
    ("DMSPC-OHR", "Office of Human Resources", "人力资源厅", UnitKind.OFFICE, "DMSPC"),
    (
        "DMSPC-BTAD",
        "Business Transformation and Accountability Division",
        "业务转型和问责司",
        UnitKind.DIVISION,
        "DMSPC",
    ),
    ("DOS", "Department of Operational Support", "业务支助部", UnitKind.DEPARTMENT, "UNSEC"),
    ("DOS-OSCM", "Office of Supply Chain Management", "供应链管理厅", UnitKind.OFFICE, "DOS"),
    ("DOS-PD", "Procurement Division", "采购司", UnitKind.DIVISION, "DOS-OSCM"),
    (
        "DPPA",
        "Department of Political and Peacebuilding Affairs",
        "政治和建设和平事务部",
        UnitKind.DEPARTMENT,
        "UNSEC",
    ),
    ("DPO", "Department of Peace Operations", "和平行动部", UnitKind.DEPARTMENT, "UNSEC"),
    (
        "MONUSCO",
        "UN Organization Stabilization Mission in the DR Congo",
        "联刚稳定团",
        UnitKind.MISSION,
        "DPO",
    ),
    ("UNMISS", "United Nations Mission in South Sudan", "南苏丹特派团", UnitKind.MISSION, "DPO"),
    (
        "DESA",
        "Department of Economic and Social Affairs",
        "经济和社会事务部",
        UnitKind.DEPARTMENT,
        "UNSEC",
    ),
    (
        "DGACM",
        "Department for General Assembly and Conference Management",
        "大会和会议管理部",
        UnitKind.DEPARTMENT,
        "UNSEC",
    ),
    ("OLA", "Office of Legal Affairs", "法律事务厅", UnitKind.OFFICE, "UNSEC"),
    (
        "OCHA",
        "Office for the Coordination of Humanitarian Affairs",
        "人道主义事务协调厅",
        UnitKind.OFFICE,
        "UNSEC",
    ),
    ("DSS", "Department of Safety and Security", "安全和安保部", UnitKind.DEPARTMENT, "UNSEC"),
    ("UNOG", "United Nations Office at Geneva", "联合国日内瓦办事处", UnitKind.OFFICE, "UNSEC"),
    (
        "ESCAP",
        "Economic and Social Commission for Asia and the Pacific",
        "亚洲及太平洋经济社会委员会",
        UnitKind.COMMISSION,
        "UNSEC",
    ),
]

# username, password, role, unit, body, person (index, name, unit, grade, head of entity)
DEMO_ACCOUNTS = [
    (
        "admin",
        "demo-admin-2026",
        RoleKind.ADMINISTRATOR,
        None,
        "",
        ("90000001", "Alex Admin", "DMSPC-BTAD", Grade.P4, False),
    ),
    (
        "manager",
        "demo-manager-2026",
        RoleKind.MANAGER,
        "DMSPC",
        "",
        ("90000002", "Maria Manager", "DMSPC", Grade.USG, True),
    ),
    (
        "manager2",
        "demo-manager-2026",
        RoleKind.MANAGER,
        "DOS",
        "",
        ("90000003", "Omar Operations", "DOS", Grade.USG, True),
    ),
    ("oios", "demo-oversight-2026", RoleKind.OVERSIGHT, None, "OIOS", None),
    ("boa", "demo-oversight-2026", RoleKind.OVERSIGHT, None, "BOA", None),
    ("gastaff", "demo-ga-2026", RoleKind.GA_STAFF, None, "", None),
]

FIRST = [
    "Amina",
    "Li",
    "Carlos",
    "Sofia",
    "Kwame",
    "Elena",
    "Hiroshi",
    "Fatima",
    "Ivan",
    "Grace",
    "Pedro",
    "Mei",
    "Ahmed",
    "Nadia",
    "Tomas",
    "Aisha",
    "Jonas",
    "Priya",
    "Samuel",
    "Yuki",
    "Lucia",
    "Omar",
    "Wei",
    "Chloe",
]
LAST = [
    "Okafor",
    "Zhang",
    "Garcia",
    "Rossi",
    "Mensah",
    "Petrova",
    "Tanaka",
    "Haddad",
    "Novak",
    "Kimani",
    "Silva",
    "Chen",
    "Hassan",
    "Dubois",
    "Kowalski",
    "Diallo",
    "Berg",
    "Sharma",
    "Mwangi",
    "Sato",
    "Lopez",
    "Wang",
]
STAFF_GRADES = [
    Grade.G4,
    Grade.G5,
    Grade.G6,
    Grade.P2,
    Grade.P3,
    Grade.P3,
    Grade.P4,
    Grade.P4,
    Grade.P5,
    Grade.D1,
]


def reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys from the table's sequence, for rows that must be referenced before
    they are written (sub-delegations of instruments of the same batch). Elsewhere (SQLite,
    a single writer) the ids after the largest one."""
    if count <= 0:
        return []
    meta = model._meta
    if connection.vendor != "postgresql":
        largest = model.objects.aggregate(largest=models.Max("pk"))["largest"] or 0
        return list(range(largest + 1, largest + 1 + count))
    with connection.cursor() as cursor:
        # Drawn one by one (safe beside other writers); only their bounds come back when they
        # are consecutive, as they are when the seed writes alone: fetching a hundred thousand
        # one-value rows cost more than drawing them.
        cursor.execute(
            "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL "
            "ELSE array_agg(v ORDER BY v) END FROM (SELECT nextval(pg_get_serial_sequence(%s, "
            "%s)) AS v FROM generate_series(1, %s)) AS drawn",
            [meta.db_table, meta.pk.column, count],
        )
        low, high, scattered = cursor.fetchone()
    return list(scattered) if scattered is not None else list(range(low, high + 1))


class Builder:
    """Unsaved instances of `model`, as `model(**values)` makes them (every concrete field set:
    the value given, or the field's default; a related object given by name is cached, its key
    set) without Model.__init__'s per-field work, the largest cost of building the millions of
    rows seed_scale writes. Values are given by field name, attname or `pk`."""

    def __init__(self, model):
        self.model = model
        meta = model._meta
        self.fixed: dict = {}
        self.dynamic: list = []
        for field in meta.concrete_fields:
            if field.has_default() and callable(field.default):
                self.dynamic.append((field.attname, field.default))
            else:
                self.fixed[field.attname] = field.get_default()
        self.attnames = {field.attname for field in meta.concrete_fields}
        self.relations = {
            field.name: field.attname
            for field in meta.concrete_fields
            if field.is_relation and field.name != field.attname
        }
        self.pk = meta.pk.attname

    def __call__(self, **values):
        obj = self.model.__new__(self.model)
        state = obj._state = ModelState()
        loaded = obj.__dict__
        loaded.update(self.fixed)
        for attname, default in self.dynamic:
            loaded[attname] = default()
        if values.keys() <= self.attnames:
            # Every value given by its column's name (the seeds' usual call): set at once.
            loaded.update(values)
            return obj
        for name, value in values.items():
            if name in self.attnames:
                loaded[name] = value
            elif name in self.relations:
                loaded[self.relations[name]] = None if value is None else value.pk
                state.fields_cache[name] = value
            elif name == "pk":
                loaded[self.pk] = value
            else:
                raise TypeError(f"{self.model.__name__} has no field {name!r}")
        return obj


def copy_insert(model, objs: list, batch_size: int = 5000) -> list:
    """Insert `objs` like bulk_create (primary keys set on them), with PostgreSQL's COPY: several
    times faster than multi-row INSERTs for the hundred-thousand-row batches of seed_scale. The
    keys are drawn from the table's sequence first, so the rows that reference them (history,
    children) can be built before anything is read back. Elsewhere (SQLite), bulk_create."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return objs
    meta = model._meta
    pk = meta.pk
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if isinstance(pk, models.AutoField | models.BigAutoField):
            missing = [o for o in objs if o.pk is None]
            for obj, value in zip(missing, reserve_ids(model, len(missing)), strict=True):
                obj.pk = value
        fields = list(meta.concrete_fields)
        # Values whose Python form COPY cannot take as it is: JSON, and timestamps Django fills in
        # (one per batch, as if it were written at once).
        as_json = {f.attname for f in fields if isinstance(f, models.JSONField)}
        stamped = [
            f for f in fields if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
        ]
        stamps = {f.attname: f.pre_save(objs[0], True) for f in stamped}
        attnames = [f.attname for f in fields]
        # A row's values in one call (the fields' attnames, in order).
        values_of = operator.itemgetter(*attnames)
        if len(attnames) == 1:
            single = values_of

            def values_of(state):
                return (single(state),)

        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        alias = connection.alias
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                state = obj.__dict__
                if stamps:
                    state.update(stamps)
                row = values_of(state)
                if as_json:
                    row = [
                        json.dumps(value) if name in as_json and value is not None else value
                        for name, value in zip(attnames, row, strict=True)
                    ]
                copy.write_row(row)
                obj._state.adding = False
                obj._state.db = alias
    return objs


def copy_rows(model, attnames: list[str], rows) -> int:
    """Write plain rows (tuples in the order of `attnames`) with COPY, bulk_create elsewhere: for
    rows nothing reads back and no history records (many-to-many links)."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows])
        return len(rows)
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in attnames)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    return len(rows)


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _upsert_unit(code, name, name_zh, kind, parent_code):
    parent = OrgUnit.objects.get(code=parent_code) if parent_code else None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return OrgUnit.objects.create(
            code=code, name=name, name_zh=name_zh, kind=kind, parent=parent
        )
    if (unit.name, unit.name_zh, unit.kind, unit.parent_id) != (
        name,
        name_zh,
        kind,
        parent.pk if parent else None,
    ):
        unit.name, unit.name_zh, unit.kind, unit.parent = name, name_zh, kind, parent
        unit.save()
    return unit


@transaction.atomic
def seed_demo_base(stdout=None) -> dict[str, int]:
    for code, name, name_zh, kind, parent in DEMO_UNITS:
        _upsert_unit(code, name, name_zh, kind, parent)
    User = get_user_model()
    for username, password, kind, unit_code, body, person in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password=password, email=f"{username}@example.org"
            )
        if kind == RoleKind.ADMINISTRATOR and not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
        role = Role.objects.filter(user=user).first()
        if role is None:
            Role.objects.create(user=user, kind=kind, unit=unit, body_code=body)
        elif (role.kind, role.unit_id, role.body_code) != (kind, unit.pk if unit else None, body):
            role.kind, role.unit, role.body_code = kind, unit, body
            role.save()
        if person is not None:
            index, name, person_unit, grade, head = person
            if not Person.objects.filter(index_number=index).exists():
                Person.objects.create(
                    index_number=index,
                    name=name,
                    unit=OrgUnit.objects.get(code=person_unit),
                    grade=grade,
                    is_head_of_entity=head,
                    user=user,
                    email=user.email,
                )
    # A few staff in each unit, deterministic so that a second run changes nothing.
    rng = random.Random(64259)
    units = list(OrgUnit.objects.exclude(code="UNSEC").order_by("code"))
    wanted = []
    for number in range(1, 61):
        unit = units[number % len(units)]
        wanted.append(
            Person(
                index_number=f"{91000000 + number}",
                name=_person_name(rng),
                unit=unit,
                grade=STAFF_GRADES[number % len(STAFF_GRADES)],
            )
        )
    existing = set(
        Person.objects.filter(index_number__in=[p.index_number for p in wanted]).values_list(
            "index_number", flat=True
        )
    )
    new = [p for p in wanted if p.index_number not in existing]
    Person.objects.bulk_create(new)
    history.record_bulk(new)
    return {"units": OrgUnit.objects.count(), "people": Person.objects.count()}


def seed_scale_base(factor: float, progress) -> dict[str, int]:
    """~100 org units and ~37,000 staff at factor 1, written in bulk (history included)."""
    rng = random.Random(37000)
    root = OrgUnit.objects.filter(code="UNSEC").first() or OrgUnit.objects.create(
        code="UNSEC", name="United Nations Secretariat", kind=UnitKind.SECRETARIAT
    )
    n_units = max(3, round(100 * factor))
    n_people = max(10, round(37_000 * factor))
    departments = max(1, n_units // 5)
    new_units = []
    existing_codes = set(
        OrgUnit.objects.filter(code__startswith="S-").values_list("code", flat=True)
    )
    with transaction.atomic():
        parents = []
        for d in range(departments):
            code = f"S-D{d:03d}"
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                unit = OrgUnit(
                    code=code,
                    name=f"Synthetic department {d}",
                    kind=UnitKind.DEPARTMENT,
                    parent=root,
                )
                unit.path = unit.compute_path()
                new_units.append(unit)
            parents.append(unit)
        OrgUnit.objects.bulk_create([u for u in new_units if u.code not in existing_codes])
        children = []
        for i in range(n_units - departments):
            code = f"S-U{i:04d}"
            if code in existing_codes:
                continue
            parent = parents[i % departments]
            unit = OrgUnit(
                code=code, name=f"Synthetic office {i}", kind=UnitKind.OFFICE, parent=parent
            )
            unit.path = unit.compute_path()
            children.append(unit)
        OrgUnit.objects.bulk_create(children)
        history.record_bulk(new_units + children)
    progress("org units", 1, 1)
    unit_ids = list(OrgUnit.objects.filter(code__startswith="S-").values_list("pk", flat=True))
    _seed_heads_of_entity(rng)
    progress("heads of entity", 1, 1)
    start = Person.objects.filter(index_number__startswith="7").count()
    batch = 20_000
    created = 0
    for offset in range(start, n_people, batch):
        people = []
        for n in range(offset, min(offset + batch, n_people)):
            people.append(
                Person(
                    index_number=f"7{n:07d}",
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    unit_id=unit_ids[n % len(unit_ids)],
                    grade=rng.choice(STAFF_GRADES),
                )
            )
        copy_insert(Person, people)
        # Outside a transaction the entries are linked as they are written (inside one they are
        # written pending and rewritten at commit, core.history: twice the work).
        history.record_bulk(people)
        created += len(people)
        progress("people", min(offset + batch, n_people), n_people)
    return {"org units": OrgUnit.objects.count(), "people": Person.objects.count()}


def _seed_heads_of_entity(rng: random.Random) -> None:
    """A head of entity with an account for every synthetic unit, managing it: the delegatees of
    the root instruments (issue 14: the Secretary-General delegates to heads of entity) and the
    managers whose scope the benchmark measures. Index numbers 6xxxxxxx, accounts `head-<code>`."""
    User = get_user_model()
    units = list(OrgUnit.objects.filter(code__startswith="S-").order_by("code"))
    have = set(
        Person.objects.filter(index_number__startswith="6", is_head_of_entity=True).values_list(
            "unit_id", flat=True
        )
    )
    missing = [u for u in units if u.pk not in have]
    if not missing:
        return
    with transaction.atomic():
        users = []
        for unit in missing:
            username = f"head-{unit.code.lower()}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, email=f"{username}@example.org", password="!")
                users.append(user)
            unit._head_user = user
        User.objects.bulk_create(users)
        roles, heads = [], []
        for unit in missing:
            user = unit._head_user
            if not Role.objects.filter(user=user).exists():
                roles.append(Role(user=user, kind=RoleKind.MANAGER, unit=unit))
            heads.append(
                Person(
                    index_number=f"6{unit.pk:07d}",
                    name=_person_name(rng),
                    unit=unit,
                    grade=Grade.USG if unit.kind == UnitKind.DEPARTMENT else Grade.ASG,
                    is_head_of_entity=True,
                    user=user,
                    email=user.email,
                )
            )
        Role.objects.bulk_create(roles)
        copy_insert(Person, heads)
        history.record_bulk(roles + heads)

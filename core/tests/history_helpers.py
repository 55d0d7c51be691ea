"""What the history tests share: raw SQL against the stored rows (as a tamperer would write it)
and `verify_audit_trail` as an operator runs it."""

from django.core.management import call_command
from django.db import connection


def sql(statement: str, params=()):
    """Run `statement`; its rows when it returns any."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def verify(capsys, *args) -> tuple[int, str]:
    """`manage.py verify_audit_trail *args`: its exit code and what it printed."""
    try:
        call_command("verify_audit_trail", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err

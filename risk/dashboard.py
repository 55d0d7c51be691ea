"""What makes a user's risk figures their own (core.dashboard): the cards count risks and
treatment actions they own and procurement cases whose panel they sit on, wherever the unit.
The cards themselves are risk.metrics.dashboard_cards."""

from core import dashboard


@dashboard.personal_rows
def personal_rows(user):
    from risk.models import ProcurementCase, Risk, Treatment

    return [
        Risk.objects.filter(owner_id=user.pk),
        Treatment.objects.filter(owner_id=user.pk),
        ProcurementCase.panel.through.objects.filter(person__user_id=user.pk),
    ]

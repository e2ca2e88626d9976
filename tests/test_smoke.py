from dossiers.models import DossierStatus


def test_end_to_end(journey):
    assert journey.open_tasks() == ["self_assessment"]
    journey.to_awaiting_decision()
    assert journey.dossier.status == DossierStatus.AWAITING_DECISION
    journey.decide()
    journey.announce()
    assert journey.dossier.status == DossierStatus.ANNOUNCED

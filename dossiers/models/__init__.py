from .agencies import Agency, Membership
from .appraisal import (
    AppraisalStatus,
    Confirmation,
    CriterionAppraisal,
    DistrictVerification,
    SurveyAppraisal,
    SurveyResult,
)
from .assessment import DossierDocument, Evidence, PublicComment, SelfAssessment
from .batches import Batch, BatchDeadline, Step
from .council import AgendaItem, CouncilMeeting, Vote
from .criteria import CriteriaSet, Criterion, Indicator, Level, Threshold
from .decisions import Decision, Revocation
from .dossier import Dossier, DossierStatus
from .geography import Commune, District, Province, Region, Village
from .mergers import Merger, MergerOutcome
from .regulation import RegulationProfile, Responsibility, parse_ratio
from .roadmap import RoadmapTarget
from .signatures import DecisionSignature, TrustRoot

__all__ = [
    "Agency", "AgendaItem", "AppraisalStatus", "Batch", "BatchDeadline", "Commune",
    "Confirmation", "CouncilMeeting", "CriteriaSet", "Criterion", "CriterionAppraisal",
    "Decision", "DistrictVerification", "District", "Dossier", "DossierDocument",
    "DossierStatus", "Evidence", "Indicator", "Level", "Membership", "Province",
    "PublicComment", "RegulationProfile", "Responsibility", "Revocation", "RoadmapTarget",
    "SelfAssessment", "Step", "SurveyAppraisal", "SurveyResult", "Village", "Vote", "parse_ratio",
    "DecisionSignature", "TrustRoot", "Region", "Threshold", "Merger", "MergerOutcome",
]

"""What the set-up API reads and writes (``web.api.setup``). Inputs validate shapes only;
the services check every rule and right."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from dossiers.models import (
    Agency,
    Commune,
    CriteriaSet,
    Criterion,
    District,
    Indicator,
    Membership,
    Province,
    RegulationProfile,
    Responsibility,
    Village,
)
from dossiers.services.setup import PROFILE_FIELDS
from notifications.models import ReminderPolicy

from .serializers import Id, Input

USERNAME = r"^[\w.@+-]+\Z"
PHONE = r"^[0-9 +().-]*\Z"


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name", "codename"]


class ProvinceImportInput(Input):
    code = serializers.IntegerField(min_value=1, max_value=99)


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["id", "province", "code", "name", "kind", "district", "group",
                  "group_decided_on", "region", "region_decided_on"]


class ClassifyInput(Input):
    group = serializers.ChoiceField(Commune.Group.choices, allow_null=True)
    group_decided_on = serializers.DateField(allow_null=True, required=False, default=None)
    region = serializers.ChoiceField(Commune.Region.choices, allow_blank=True, required=False,
                                     default="")
    region_decided_on = serializers.DateField(allow_null=True, required=False, default=None)
    district = Id(allow_null=True, required=False, default=None)
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "commune", "name", "households"]


class VillageInput(Input):
    name = serializers.CharField(max_length=120)
    households = serializers.IntegerField(min_value=0, max_value=100000)


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "province", "code", "name", "abolished_on"]


class DistrictCreateInput(Input):
    province = Id()
    code = serializers.RegexField(r"^[0-9]{1,8}\Z", max_length=8)
    name = serializers.CharField(max_length=120)
    abolished_on = serializers.DateField(allow_null=True, required=False)


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "province", "kind", "code", "name", "commune", "district",
                  "confirms_debt", "confirms_security", "active"]


class AgencyInput(Input):
    province = Id()
    kind = serializers.ChoiceField(Agency.Kind.choices)
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    commune = Id(allow_null=True, required=False, default=None)
    district = Id(allow_null=True, required=False, default=None)
    confirms_debt = serializers.BooleanField(default=False)
    confirms_security = serializers.BooleanField(default=False)


class AgencyUpdateInput(Input):
    name = serializers.CharField(max_length=200)
    confirms_debt = serializers.BooleanField(default=False)
    confirms_security = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class SetupReasonInput(Input):
    reason = serializers.CharField(max_length=500)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "agency", "user", "username", "full_name", "email", "title", "phone",
                  "is_head", "is_delegate", "active"]


class MembershipInput(Input):
    agency = Id()
    user = Id()
    title = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    phone = serializers.RegexField(PHONE, max_length=20, allow_blank=True, required=False,
                                   default="")
    is_head = serializers.BooleanField(default=False)
    is_delegate = serializers.BooleanField(default=False)


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email", "is_active", "memberships"]


class PersonInput(Input):
    agency = Id()
    username = serializers.RegexField(USERNAME, max_length=150)
    full_name = serializers.CharField(max_length=300)
    email = serializers.EmailField(max_length=254)
    title = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    phone = serializers.RegexField(PHONE, max_length=20, allow_blank=True, required=False,
                                   default="")
    is_head = serializers.BooleanField(default=False)
    is_delegate = serializers.BooleanField(default=False)


class PersonUpdateInput(Input):
    full_name = serializers.CharField(max_length=300)
    email = serializers.EmailField(max_length=254)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name_vi", "name_en", "threshold"]


class CriterionSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "number", "name_vi", "name_en", "indicators"]


class CriteriaSetSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSet
        fields = ["id", "code", "title_vi", "level", "province", "valid_from", "valid_until",
                  "fragments", "criteria"]


class ResponsibilitySerializer(serializers.ModelSerializer):
    criteria_set = serializers.IntegerField(source="criterion.criteria_set_id", read_only=True)
    criterion_number = serializers.IntegerField(source="criterion.number", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True,
                                           default=None, allow_null=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "province", "criteria_set", "criterion", "criterion_number",
                  "indicator", "indicator_code", "agency", "agency_name"]


class ResponsibilityInput(Input):
    province = Id()
    criterion = Id()
    indicator = Id(allow_null=True, required=False, default=None)
    agency = Id()
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class ResponsibilityCopyInput(Input):
    province = Id()
    criteria_set = Id()
    source_set = Id(allow_null=True, required=False, default=None)
    source_province = Id(allow_null=True, required=False, default=None)


class CopyReportSerializer(serializers.Serializer):
    copied = serializers.ListField(child=serializers.CharField())
    kept = serializers.ListField(child=serializers.CharField())
    skipped = serializers.ListField(child=serializers.CharField())


class RegulationProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegulationProfile
        fields = ["id", "province", *PROFILE_FIELDS]


class RegulationPublishInput(Input):
    province = Id()
    valid_from = serializers.DateField()
    reason = serializers.CharField(max_length=500)
    legal_basis = serializers.CharField(max_length=300, allow_blank=True, required=False)
    survey_coverage_min = serializers.CharField(max_length=16, required=False)
    survey_satisfaction_min = serializers.CharField(max_length=16, required=False)
    council_quorum = serializers.CharField(max_length=16, required=False)
    council_approval_min = serializers.CharField(max_length=16, required=False)
    survey_households_tolerance = serializers.IntegerField(min_value=0, max_value=100,
                                                           required=False)
    posting_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    province_answer_working_days = serializers.IntegerField(min_value=1, max_value=365,
                                                            required=False)
    district_verification = serializers.BooleanField(required=False)


class BatchCreateInput(Input):
    province = Id()
    recognition_year = serializers.IntegerField(min_value=2000, max_value=2100)
    number = serializers.IntegerField(min_value=1, max_value=99)
    title = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class BatchUpdateInput(Input):
    title = serializers.CharField(max_length=200, allow_blank=True)
    closed = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class ReminderPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReminderPolicy
        fields = ["province", "days_before", "overdue_every_days", "escalate_after_days"]


class ReminderPolicyInput(Input):
    days_before = serializers.CharField(max_length=60)
    overdue_every_days = serializers.IntegerField(min_value=1, max_value=90)
    escalate_after_days = serializers.IntegerField(min_value=0, max_value=365)
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

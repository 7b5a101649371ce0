import django_filters

from policies import models as policies


class CheckFilter(django_filters.FilterSet):
    verdict = django_filters.ChoiceFilter(choices=policies.Check._meta.get_field("verdict").choices)
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", help_text="On or after this date (UTC).")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", help_text="On or before this date (UTC).")

    class Meta:
        model = policies.Check
        fields = ("verdict", "created_after", "created_before")


class RuleFilter(django_filters.FilterSet):
    effect = django_filters.ChoiceFilter(choices=policies.Rule.Effect.choices)
    enabled = django_filters.BooleanFilter()

    class Meta:
        model = policies.Rule
        fields = ("effect", "enabled")

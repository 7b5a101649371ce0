"""Which knowledge-base edits need review, and how field values travel in a pending change.

Every field of a reviewed model needs review except the DIRECT ones: fields the engine never reads
(policies.engine.loader.load_policy), so an edit of them cannot change a decision. A field added to a
model later is reviewed until someone names it here; tests/admin/test_kb_review.py checks that no
DIRECT field reaches the engine. Why each is direct is in docs/security.md.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder

from kb import models as kb

SOURCING = ("notes", "checked_on")  # Sourced: caveats and the date a source was last read

DIRECT = {
    kb.Organization: ("url",),
    kb.TermsDocument: ("summary",),
    kb.TermsVersion: ("summary", *SOURCING),
    kb.LicenseClause: SOURCING,
    kb.AIModel: (
        "release_date", "training_compute_source", "description", *SOURCING,
    ),
    kb.Dataset: ("description", *SOURCING),
    kb.LineageEdge: ("evidence", *SOURCING),
    kb.Jurisdiction: ("name",),
    kb.Instrument: ("title", "summary", *SOURCING),
    kb.Provision: ("summary", *SOURCING),
}


def is_reviewed_model(model):
    return model in DIRECT


def needs_review(model, field_names):
    """Whether changing `field_names` of a `model` record can change a decision."""
    return is_reviewed_model(model) and bool(set(field_names) - set(DIRECT[model]))


def value_of(instance, name):
    """A field's current value on a saved row, as JSON (foreign keys and m2m as ids; m2m sorted)."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return sorted(getattr(instance, name).values_list("pk", flat=True))
    return as_json(getattr(instance, field.attname))


def as_json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def from_json(field, value):
    """The Python value to assign to `field` (a concrete field) for a JSON value stored by value_of."""
    return value if field.get_internal_type() == "JSONField" else field.to_python(value)

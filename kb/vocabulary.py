"""Controlled vocabularies: clause types with their typed parameters, and regulatory roles.

The rules engine selects clauses by type and reads their parameters, so a clause type's
parameters are part of the contract between the knowledge base and the rules.
"""

# clause type -> (label, {parameter: (python types, description)})
CLAUSE_TYPES = {
    "output_training": (
        "Output use for training other models",
        {
            "permitted": (str, 'one of "yes", "no", "conditional"'),
            "exception": (str, "what stays allowed, e.g. improving the same model family"),
            "scope": (str, 'what it covers: "any_model", "large_language_models", "competing_models"'),
            "output_modalities": (list, 'only outputs of these modalities are restricted, e.g. ["image"]; absent = all outputs'),
        },
    ),
    "competing_models": (
        "Competing models",
        {
            "scope": (str, "what counts as competing, in the text's words"),
            "output_modalities": (list, 'only outputs of these modalities are restricted, e.g. ["image"]; absent = all outputs'),
        },
    ),
    "distillation_ban": ("Distillation ban", {"needs_authorization": (bool, "allowed with the publisher's approval")}),
    "distillation_permitted": ("Distillation expressly permitted", {}),
    "derivative_definition": (
        "Derivative definition",
        {
            "includes_distillation": (bool, "a model trained on outputs or by distillation is a derivative"),
            "output_is_derivative": (bool, "outputs themselves are derivatives"),
        },
    ),
    "naming": (
        "Naming",
        {"prefix": (str, 'the name a derived model must start with, e.g. "Llama"'), "applies_when": (str, "distributed_or_made_available")},
    ),
    "attribution_notice": (
        "Attribution / notice",
        {
            "display_text": (str, 'text to display, e.g. "Built with Llama"'),
            "notice_file": (bool, "a Notice file must ship"),
            "monthly_active_users": (int, "the display is owed only above this many monthly active users (Kimi K2: 100 million)"),
        },
    ),
    "commercial_use": ("Commercial use", {"permitted": (bool, "commercial use allowed")}),
    "research_only": ("Research-only / non-commercial", {"covers_outputs": (bool, "the limit also covers outputs and derivatives")}),
    "user_threshold": ("User threshold", {"monthly_active_users": (int, "above this a separate license is needed")}),
    "revenue_threshold": ("Revenue threshold", {"annual_revenue_usd": (int, "at or above this a separate license is needed")}),
    "jurisdiction_exclusion": (
        "Jurisdiction exclusion",
        {
            "jurisdictions": (list, "jurisdiction codes excluded"),
            "modalities": (list, "only for models with these input modalities (empty = all)"),
        },
    ),
    "use_policy_flow_down": ("Use-policy flow-down", {"policy": (str, "SPDX id of the policy that must be passed on")}),
    "share_alike": ("Share-alike", {}),
    "output_ownership": ("Output ownership", {"owner": (str, '"user", "publisher" or "not_claimed"')}),
    "other": ("Other", {}),
}

CLAUSE_TYPE_CHOICES = [(key, label) for key, (label, _params) in CLAUSE_TYPES.items()]

PERMITTED_VALUES = {"yes", "no", "conditional"}

# Who a provision applies to; the engine maps a workflow to these roles.
ROLES = {
    "provider": "Provider of an AI system or model",
    "gpai_provider": "Provider of a general-purpose AI model",
    "gpai_systemic_provider": "Provider of a general-purpose AI model with systemic risk",
    "downstream_modifier": "Whoever fine-tunes, distils or otherwise modifies a model",
    "deployer": "Deployer of an AI system",
    "developer": "Developer of a model (US state law sense)",
    "frontier_developer": "Developer of a frontier model (California SB 53, New York RAISE)",
    "service_provider": "Provider of a public generative-AI service",
    "data_user": "Whoever mines text and data for training",
    "importer": "Importer or distributor",
    "authorised_representative": "Authorised representative",
}

MODALITIES = ("text", "image", "audio", "video")


def check_parameters(clause_type, parameters):
    """Return a list of problems with a clause's parameters (empty when they fit the type)."""
    if clause_type not in CLAUSE_TYPES:
        return [f'unknown clause type "{clause_type}"']
    if not isinstance(parameters, dict):
        return ["parameters must be a mapping"]
    schema = CLAUSE_TYPES[clause_type][1]
    problems = []
    for name, value in parameters.items():
        if name not in schema:
            allowed = ", ".join(sorted(schema)) or "none"
            problems.append(f'"{name}" is not a parameter of {clause_type} (allowed: {allowed})')
            continue
        expected = schema[name][0]
        # bool is an int in Python; a threshold must not accept true.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f'"{name}" must be {expected.__name__}, got {type(value).__name__}')
    modalities = parameters.get("output_modalities")
    if isinstance(modalities, list) and (not modalities or any(m not in MODALITIES for m in modalities)):
        problems.append(f'"output_modalities" must be a non-empty list of {", ".join(MODALITIES)}')
    if clause_type == "output_training" and "permitted" in parameters and parameters["permitted"] not in PERMITTED_VALUES:
        problems.append(f'"permitted" must be one of {", ".join(sorted(PERMITTED_VALUES))}')
    return problems

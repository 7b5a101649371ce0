from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self):
        from kb.fixtures_io import register_section
        from policies import signals
        from policies.fixtures import dump_rules, load_rules, prune_rules

        # Rules load after the knowledge base they cite (kb's sections use orders 10-70).
        register_section("rules", order=90, load=load_rules, dump=dump_rules, prune=prune_rules)
        signals.connect()

        from kb.search import sync
        from kb.search.documents import register_source
        from policies.search import RuleSource

        register_source(RuleSource())
        sync.connect()  # kb connected its own sources already; this adds the rules' signals

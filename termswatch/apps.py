from django.apps import AppConfig


class TermsWatchConfig(AppConfig):
    name = "termswatch"
    verbose_name = "Terms watch"

    def ready(self):
        from kb.fixtures_io import register_section
        from kb.validation import register_check
        from termswatch.checks import clauses_needing_reverification
        from termswatch.fixtures import dump_mapping, load_mapping

        # After the terms documents it names (kb's sections use orders 10-70, rules 90).
        register_section("terms_watch", order=95, load=load_mapping, dump=dump_mapping)
        # kb knows nothing of termswatch: validate_kb runs whatever checks other apps register.
        register_check(clauses_needing_reverification)

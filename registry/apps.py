from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Hugging Face registry"

    def ready(self):
        from kb.fixtures_io import register_section
        from registry.fixtures import load_hub_licenses

        # After the terms documents it names (kb's sections use orders 10-70), before the rules (90).
        register_section("hub_licenses", order=80, load=load_hub_licenses)

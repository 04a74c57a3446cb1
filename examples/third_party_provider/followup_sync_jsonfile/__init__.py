"""Example plugin: register a provider type; the class is imported only when used."""


def register(add):
    add("jsonfile", "followup_sync_jsonfile.provider:JsonFileProvider")

"""Static files storage for production: hashed names and compressed copies (whitenoise)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    def keep(pattern) -> bool:
        regex = pattern[0] if isinstance(pattern, tuple) else pattern
        return "sourceMappingURL" not in regex

    return tuple((glob, tuple(p for p in rules if keep(p))) for glob, rules in patterns)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Like whitenoise's storage, but leaves source-map comments alone.

    Vendored scripts (from npm) end with `sourceMappingURL=` comments whose .map files are not
    shipped. Django would refuse to deploy over a missing map; browsers only need one when the
    developer tools are open, so the comment is left as it is. Missing images or fonts in
    stylesheets still stop collectstatic.
    """

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

"""Two costs of every build that do not depend on what changed, made once.

Named in ``_config.yml``; ``make bench`` (item 3) measures
the rebuild after a prose-only change.

1. sphinxcontrib-bibtex asks pybtex for its plain-text backend once per
   citation it resolves, and pybtex answers by scanning the entry points of
   every installed distribution (about 20 ms each in this environment, 0.8 s
   for the chapter's citations). pybtex's own ``register_plugin`` puts a
   class in the table it consults first, so the backend is looked up once
   and registered there. (The other plugins are asked for once or twice a
   build, about what registering them would cost.)
2. Sphinx compiles the theme's Jinja templates anew in every build (about
   0.6 s). Jinja can keep the compiled templates in a bytecode cache keyed by
   each template's source checksum, so a changed template is recompiled;
   the cache lives next to the other build caches in ``_build``.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import pybtex.plugin


def _register_bibtex_backend(app, config) -> None:
    group, name = "pybtex.backends", "plaintext"
    pybtex.plugin.register_plugin(group, name, pybtex.plugin.find_plugin(group, name), force=True)


def _cache_compiled_templates(app) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is None or not hasattr(templates, "environment"):
        return
    cache = Path(app.outdir).parent / ".jinja_cache"
    cache.mkdir(parents=True, exist_ok=True)
    templates.environment.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))


def setup(app):
    app.connect("config-inited", _register_bibtex_backend)
    app.connect("builder-inited", _cache_compiled_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""congdanso — run a commune's digital-citizen (công dân số) campaign."""

__version__ = "0.1.0"

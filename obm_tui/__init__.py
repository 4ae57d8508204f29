"""obm: run a small online business's systems from a git-tracked folder of Markdown files."""

__version__ = "0.1.0"

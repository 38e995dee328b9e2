"""OpsQM 运维服务质量管理平台."""

# The one version number: the package metadata (pyproject reads it), `opsqm --version`,
# the pages' footer and the offline bundle's name.  CHANGELOG.md says what changed.
__version__ = "0.2.0"

"""API endpoints of the registers (contracts, vendors, units, staff, replacements)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)

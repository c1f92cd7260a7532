"""Resolution: mentions -> canonical entities shared across papers."""

from __future__ import annotations

from kg.resolve.entity import Entity, Resolution, canonical_key, resolve

__all__ = ["Entity", "Resolution", "canonical_key", "resolve"]

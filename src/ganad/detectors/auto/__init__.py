"""The recommended detector for data ganad has never seen: `get_detector("auto")`."""

from .detector import AutoDetector, choose_kind

__all__ = ["AutoDetector", "choose_kind"]

"""The demo data set: a social real-estate agency in Plzeňský kraj, always "current"."""

from agency.demo.loader import DemoResult, load_demo
from agency.demo.people import DEMO_PASSWORD, DemoCredential

__all__ = ["DEMO_PASSWORD", "DemoCredential", "DemoResult", "load_demo"]

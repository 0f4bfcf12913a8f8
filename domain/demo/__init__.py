"""The demo world: a Bangladeshi retailer's customers, orders, conversations and team, built from a seed."""

from domain.demo.generator import DemoSummary, build_demo_world, describe

__all__ = ["DemoSummary", "build_demo_world", "describe"]

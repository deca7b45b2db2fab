"""The demo-chain fixtures live in ``tests/demo_chain.py`` (loaded by the root conftest), so
that every test package shares one template database per engine and session."""

from tests.demo_chain import DEMO_ANCHOR

__all__ = ["DEMO_ANCHOR"]

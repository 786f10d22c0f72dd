from congdanso.core.tests.world import world

__all__ = ["world"]

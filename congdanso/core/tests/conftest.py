from congdanso.core.tests.world import World, world

__all__ = ["World", "world"]

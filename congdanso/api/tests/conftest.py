from congdanso.core.tests.world import ROLES, World, world

__all__ = ["ROLES", "World", "world"]

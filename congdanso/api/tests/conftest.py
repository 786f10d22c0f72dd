from congdanso.core.tests.world import ROLES, World, next_village, world

__all__ = ["ROLES", "World", "next_village", "world"]

"""The permission-test world (two communes, a campaign, users of every role) for the site's
page tests."""

from congdanso.core.tests.world import World, next_village, world

__all__ = ["World", "next_village", "world"]

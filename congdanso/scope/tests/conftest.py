"""The permission-test world (two communes, a campaign, users of every role) for the site's
page tests."""

from congdanso.core.tests.world import World, world

__all__ = ["World", "world"]

"""The permission-test world (two communes, a campaign, users of every role) for the page
tests of this app."""

from congdanso.core.tests.world import World, world

__all__ = ["World", "world"]

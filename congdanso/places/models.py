"""The place tree: province › (district, for pre-2025 data) › commune › village / school / site.

Every place stores a materialised `path` ("/66/24490/24490.3/") built from the codes of its
ancestors, so a subtree is one indexed prefix query. Paths are written only by the services.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.core.models import Created


class PlaceKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village")
    EDE_VILLAGE = "ede_village", _("Ede village")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other site")


#: Kinds at commune level: residents belong to exactly one of these.
COMMUNE_LEVEL_KINDS = frozenset({PlaceKind.COMMUNE, PlaceKind.WARD, PlaceKind.SPECIAL_ZONE})
#: Kinds a commune creates below itself.
LOCAL_KINDS = frozenset(
    {
        PlaceKind.VILLAGE,
        PlaceKind.EDE_VILLAGE,
        PlaceKind.RESIDENTIAL_GROUP,
        PlaceKind.SCHOOL,
        PlaceKind.OTHER,
    }
)
#: Local kinds where people live (a school or other site is where sessions are held).
DWELLING_KINDS = frozenset({PlaceKind.VILLAGE, PlaceKind.EDE_VILLAGE, PlaceKind.RESIDENTIAL_GROUP})


class CommuneOwned(models.Model):
    """The shard key: every table holding resident data carries the commune its rows belong
    to, every index and unique constraint of such a table starts with (or includes) it, and
    every query on it filters by it — the rule a deployment sharded by commune (Citus)
    needs. `congdanso/core/tests/test_models_rules.py` holds each model to it."""

    commune = models.ForeignKey(
        "places.Place",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # every index of such a table starts with the commune
    )

    class Meta:
        abstract = True


class Place(Created):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(
        _("search key"),
        max_length=200,
        db_index=True,
        help_text=_("Folded name without its prefix (Thôn, Buôn…), for matching."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    commune = models.ForeignKey(
        "self",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The commune a village or site belongs to (itself for a commune)."),
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    is_official = models.BooleanField(
        _("official"),
        default=False,
        help_text=_("Loaded from the national list of administrative units."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        indexes = [
            # PostgreSQL needs the pattern opclass for LIKE 'prefix%' under a non-C collation.
            models.Index(
                fields=["path"], name="place_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(path__endswith="/") & models.Q(path__startswith="/"),
                name="place_path_slashes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def is_commune_level(self) -> bool:
        return self.kind in COMMUNE_LEVEL_KINDS

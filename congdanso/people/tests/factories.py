"""factory_boy factories for residents.

`cccd=` and `phone=` take the numbers in clear (12 and 10 digits): the model stores them
encrypted with their look-up keys.
"""

import datetime as dt

import factory

from congdanso.core.hooks import residents_changing
from congdanso.people.models import BirthDatePrecision, Resident, ResidentStatus
from congdanso.vn import fold


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Số {n}")
    name_key = factory.LazyAttribute(lambda r: fold(r.full_name))
    birth_date = dt.date(1990, 5, 17)
    birth_date_precision = factory.LazyAttribute(
        lambda r: BirthDatePrecision.DAY if r.birth_date else ""
    )
    status = ResidentStatus.LIVING
    commune = factory.LazyAttribute(lambda r: r.village.commune if r.village else None)
    village = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        # As the import creates residents: inside a change, so that the tallies follow.
        commune = kwargs.get("commune")
        with residents_changing(communes=[commune.pk] if commune is not None else []):
            return super()._create(model_class, *args, **kwargs)

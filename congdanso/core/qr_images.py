"""The text of a QR code in a photo: for phones whose browser cannot stream the camera (an
in-app browser, an old Android), the volunteer takes a photo of the card and the server reads
its code (zxing-cpp, Apache-2.0).

The photo is read from the upload in memory or the request's temporary file and dropped: it
is never stored, and neither is the code's text (a card's holds an address). A file that is
not an image, a picture too large to be a photo (a decompression bomb), or a photo without a
readable code gets its own clear message.
"""

from typing import IO

import zxingcpp
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from congdanso.core.errors import DomainError, Message

#: A phone's photo: a few MB, a few thousand pixels a side.
PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000
#: Read at this size at most: a card's QR code stays readable, and decoding stays quick.
DECODE_MAX_SIDE = 2000


def qr_text_in_photo(file: IO[bytes], *, size: int) -> str:
    """The text of the QR code in the photo (the first one found)."""
    if size > PHOTO_MAX_BYTES:
        raise DomainError(
            Message(
                _("The photo is too large (over %(mb)d MB): take it again at a smaller size."),
                mb=PHOTO_MAX_BYTES // (1024 * 1024),
            ),
            code="photo_too_large",
        )
    try:
        with Image.open(file) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise _not_a_photo()
            image.draft("L", (DECODE_MAX_SIDE, DECODE_MAX_SIDE))  # JPEG: decode smaller
            picture = image.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise _not_a_photo() from error
    if max(picture.size) > DECODE_MAX_SIDE:
        picture.thumbnail((DECODE_MAX_SIDE, DECODE_MAX_SIDE))
    found = zxingcpp.read_barcodes(
        picture, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    for code in found:
        if code.valid and code.text:
            return str(code.text)
    raise DomainError(
        _(
            "No QR code could be read in the photo: hold the card flat, in good light, with "
            "its code filling the middle of the picture, and take it again."
        ),
        code="photo_no_code",
    )


def _not_a_photo() -> DomainError:
    return DomainError(
        _("This file is not a photo (JPEG, PNG or WebP): take a photo of the card's QR code."),
        code="photo_invalid",
    )

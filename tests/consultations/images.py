import io

from PIL import Image


def png_bytes(size=(64, 36), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 110, 153)).save(buffer, format=fmt)
    return buffer.getvalue()

"""What field service's tests share: a complete report's fields and a drawn signature."""

import base64
import io

from PIL import Image


def signature() -> str:
    picture = Image.new("RGB", (200, 80), "white")
    picture.paste((0, 0, 0), (20, 40, 180, 44))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


COMPLETE = {"fault_cause": "温控器触点烧蚀", "solution": "更换温控器，试机正常", "hours": "1.5",
            "customer_opinion": "满意", "signed_by": "王先生"}

"""WTForms of the definitions feature: the form built at run time from a definition.

The implementation lives in formbuilder.py; this is the conventional place to
import it from (`from dudao.definitions.forms import build_form`). The upload
form of the admin pages is in upload_form.py.
"""

from __future__ import annotations

from dudao.definitions.formbuilder import DefinitionForm, build_form, form_class

__all__ = ["DefinitionForm", "build_form", "form_class"]

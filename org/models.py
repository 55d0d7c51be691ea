"""The organisation every domain app hangs on: org units, people and their roles, and the
resolution's sections and paragraphs that records cite."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel
from org.choices import Grade, RoleKind, UnitKind
from org.permissions import AdminPolicy, ReferencePolicy, RestrictedQuerySet
from org.policies import PersonPolicy


class OrgUnit(TrackedModel):
    """A department, office, division or mission. Units form a tree; a manager's rights cover
    the unit and every unit below it."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of codes ("/UN/DMSPC/"), kept by save(); subtree = path__startswith.
    path = models.CharField(max_length=500, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ReferencePolicy()

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name}"

    def get_absolute_url(self) -> str:
        return reverse("accountability:orgunit_detail", args=[self.code])

    @property
    def display_name(self) -> str:
        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be placed below itself.")})
            ancestor = ancestor.parent

    def compute_path(self) -> str:
        return f"{self.parent.path if self.parent else '/'}{self.code}/"

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()


class Person(TrackedModel):
    """A staff member, identified by index number, with or without an account in the tracker."""

    index_number = models.CharField(_("index number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    email = models.EmailField(_("email"), blank=True)
    is_head_of_entity = models.BooleanField(_("head of entity"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The date the staff member left the Organization: retention periods run from it
    # (operations.retention). Set by administrators (org.services.save_person).
    separated_on = models.DateField(_("separated on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = PersonPolicy()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["unit", "name"], name="person_unit_name_idx"),
            # The list's order (name, then id): its first page read from the index.
            models.Index(fields=["name", "id"], name="person_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.index_number})"

    def get_absolute_url(self) -> str:
        return reverse("accountability:person_detail", args=[self.index_number])


class Role(TrackedModel):
    """What a user account may do: administrator, manager of a unit, user of an oversight body,
    or General Assembly staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="role",
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body_code = models.CharField(
        _("oversight body"),
        max_length=20,
        blank=True,
        help_text=_("Code of the oversight body, e.g. OIOS, BOA, JIU."),
    )

    objects = RestrictedQuerySet.as_manager()
    policy = AdminPolicy()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        where = self.unit.code if self.unit_id else self.body_code
        return f"{self.user} – {self.get_kind_display()}{' ' + where if where else ''}"

    def clean(self) -> None:
        if self.kind == RoleKind.MANAGER and not self.unit_id:
            raise ValidationError({"unit": _("A manager must have a unit.")})
        if self.kind == RoleKind.OVERSIGHT and not self.body_code:
            raise ValidationError({"body_code": _("An oversight body user must have a body.")})


class Section(TrackedModel):
    """A section of resolution 64/259 (A to K, and R for the closing 'Report' paragraph)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    heading_en = models.CharField(_("heading (English)"), max_length=300)
    heading_zh = models.CharField(_("heading (Chinese)"), max_length=300)

    objects = RestrictedQuerySet.as_manager()
    policy = ReferencePolicy()

    class Meta:
        ordering = ["order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"{self.code}. {self.heading}"

    @property
    def heading(self) -> str:
        return self.heading_zh if (get_language() or "").startswith("zh") else self.heading_en


class Paragraph(TrackedModel):
    """An operative paragraph of resolution 64/259; records across the tracker cite these."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paragraphs",
    )
    text_en = models.TextField(_("text (English)"))
    text_zh = models.TextField(_("text (Chinese)"))
    text_ar = models.TextField(_("text (Arabic)"), blank=True)
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_ru = models.TextField(_("text (Russian)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    official_languages = models.JSONField(
        _("official text in"),
        default=list,
        blank=True,
        help_text=_(
            "The languages (ar, zh, en, fr, ru, es) in which this paragraph's text is the "
            "official text of A/RES/64/259; in the others it is a working translation."
        ),
    )
    requests = models.CharField(_("requests action of"), max_length=10, blank=True)
    tracked_in = models.CharField(_("tracked in"), max_length=30, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ReferencePolicy()

    class Meta:
        ordering = ["number"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")

    def __str__(self) -> str:
        return _("Paragraph %(number)s") % {"number": self.number}

    # The six official languages, each with the field that holds the paragraph in it.
    TEXT_FIELDS = {
        "ar": "text_ar",
        "zh": "text_zh",
        "en": "text_en",
        "fr": "text_fr",
        "ru": "text_ru",
        "es": "text_es",
    }

    @classmethod
    def text_key(cls, language: str | None) -> str:
        """The key of the text a reader of `language` gets: zh-hans reads zh, an unknown
        language reads English."""
        code = (language or "").lower()
        if code.startswith("zh"):
            return "zh"
        code = code.split("-")[0]
        return code if code in cls.TEXT_FIELDS else "en"

    def text_in(self, language: str | None) -> str:
        # A language not loaded yet falls back to English rather than showing nothing.
        return getattr(self, self.TEXT_FIELDS[self.text_key(language)]) or self.text_en

    def is_official_in(self, language: str | None) -> bool:
        key = self.text_key(language)
        return key in (self.official_languages or []) and bool(getattr(self, self.TEXT_FIELDS[key]))

    @property
    def text(self) -> str:
        """The paragraph in the reader's language."""
        return self.text_in(get_language())

    @property
    def text_is_official(self) -> bool:
        return self.is_official_in(get_language())

    @property
    def text_lang(self) -> str:
        """The `lang` attribute of the text shown (BCP 47)."""
        key = self.text_key(get_language())
        return "zh-Hans" if key == "zh" else key

    @property
    def text_dir(self) -> str:
        return "rtl" if self.text_key(get_language()) == "ar" else "ltr"

    def texts(self) -> list[dict]:
        """Every language's text with its lang, direction and official mark, in the UN order."""
        return [
            {
                "key": key,
                "lang": "zh-Hans" if key == "zh" else key,
                "dir": "rtl" if key == "ar" else "ltr",
                "text": getattr(self, field),
                "official": key in (self.official_languages or []),
            }
            for key, field in self.TEXT_FIELDS.items()
            if getattr(self, field)
        ]


class CitesParagraphs(models.Model):
    """Mixin for any record that answers paragraphs of the resolution."""

    paragraphs = models.ManyToManyField(
        Paragraph,
        verbose_name=_("paragraphs"),
        blank=True,
        related_name="%(app_label)s_%(class)s_citations",
        help_text=_("The paragraphs of resolution 64/259 this record answers."),
    )

    class Meta:
        abstract = True

"""The resolution paragraph by paragraph: each with the implementation assessment in force (the
verdict, with its evidence) and, beside it as a fact, what the tracker holds against it."""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import TemplateView

from core.registry import evidence_by_paragraph
from governance import metrics
from governance.evidence import describe
from governance.models import AssessmentEvidence, ParagraphAssessment
from org.models import Paragraph, Section
from org.resolution import load_document


def reading(document: dict, paragraphs: list[Paragraph]) -> dict:
    """How the resolution reads in the reader's language: its title, where the official
    document is, and which paragraphs are a working translation rather than the official text."""
    language = get_language()
    key = Paragraph.text_key(language)
    working = [p.number for p in paragraphs if not p.is_official_in(language)]
    return {
        "title": document.get(f"title_{key}") or document["title_en"],
        "text_lang": "zh-Hans" if key == "zh" else key,
        "text_dir": "rtl" if key == "ar" else "ltr",
        "official_url": f"https://undocs.org/{key}/{document['symbol']}",
        "working": working,
        "all_working": bool(paragraphs) and len(working) == len(paragraphs),
        "some_working": 0 < len(working) < len(paragraphs),
        "headings": {
            s["code"]: s.get(f"heading_{key}") or s["heading_en"] for s in document["sections"]
        },
    }


def assessments_in_force(user, numbers=None) -> dict[int, ParagraphAssessment]:
    """{paragraph number: the assessment in force today} among those the user may read, each
    with its evidence (`evidence_items`): three queries whatever the number of paragraphs."""
    rows = (
        ParagraphAssessment.objects.restrict(user, "view")
        .in_force(timezone.localdate())
        .select_related("paragraph", "unit")
    )
    if numbers is not None:
        rows = rows.filter(paragraph__number__in=numbers)
    found: dict[int, ParagraphAssessment] = {}
    for assessment in rows:  # latest first within each paragraph
        found.setdefault(assessment.paragraph.number, assessment)
    evidence: dict[int, list] = {}
    for item in AssessmentEvidence.objects.filter(assessment_id__in=[a.pk for a in found.values()]):
        evidence.setdefault(item.assessment_id, []).append(item)
    describe([item for items in evidence.values() for item in items], user)
    for assessment in found.values():
        assessment.evidence_items = evidence.get(assessment.pk, [])
    return found


class ResolutionView(LoginRequiredMixin, TemplateView):
    """The resolution section by section, each paragraph with its assessment and the measures
    recorded against it."""

    template_name = "governance/resolution.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evidence = evidence_by_paragraph(self.request.user)
        assessments = assessments_in_force(self.request.user)
        paragraphs = list(Paragraph.objects.select_related("section").order_by("number"))
        for paragraph in paragraphs:
            paragraph.evidence = evidence.get(paragraph.number, [])
            paragraph.assessment = assessments.get(paragraph.number)
        document = load_document()
        language = reading(document, paragraphs)
        sections = list(Section.objects.order_by("order"))
        for section in sections:
            section.heading_text = language["headings"].get(section.code) or section.heading
        by_section = {s.pk: [] for s in sections}
        opening = []
        for paragraph in paragraphs:
            (by_section[paragraph.section_id] if paragraph.section_id else opening).append(
                paragraph
            )
        context.update(
            opening=opening,
            sections=[(s, by_section[s.pk]) for s in sections],
            document=document,
            # The JSON holds ISO text; the page writes the date as every page does (un_date).
            adopted_on=datetime.date.fromisoformat(document["adopted_on"]),
            reading=language,
            loaded=bool(paragraphs),
        )
        return context


class ParagraphView(LoginRequiredMixin, TemplateView):
    template_name = "governance/paragraph.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paragraph = get_object_or_404(
            Paragraph.objects.select_related("section"), number=kwargs["number"]
        )
        user = self.request.user
        paragraph.evidence = evidence_by_paragraph(user).get(paragraph.number, [])
        paragraph.assessment = assessments_in_force(user, [paragraph.number]).get(paragraph.number)
        document = load_document()
        language = reading(document, [paragraph])
        if paragraph.section:
            paragraph.section.heading_text = language["headings"].get(paragraph.section.code)
        context.update(
            paragraph=paragraph,
            document=document,
            reading=language,
            milestones=metrics.milestones_of_paragraph(
                paragraph.number, user, timezone.localdate()
            ),
            assessments=ParagraphAssessment.objects.restrict(user, "view")
            .filter(paragraph=paragraph)
            .select_related("unit")
            .order_by("-period_end", "-pk")[:20],
        )
        return context

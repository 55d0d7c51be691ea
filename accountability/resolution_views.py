from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from core.registry import evidence_by_paragraph
from org.models import Paragraph, Section
from org.resolution import load_document


class ResolutionView(LoginRequiredMixin, TemplateView):
    """The resolution section by section, each paragraph with what the tracker holds against it."""

    template_name = "accountability/resolution.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evidence = evidence_by_paragraph(self.request.user)
        paragraphs = list(Paragraph.objects.select_related("section").order_by("number"))
        for paragraph in paragraphs:
            paragraph.evidence = evidence.get(paragraph.number, [])
        sections = list(Section.objects.order_by("order"))
        by_section = {s.pk: [] for s in sections}
        opening = []
        for paragraph in paragraphs:
            (by_section[paragraph.section_id] if paragraph.section_id else opening).append(
                paragraph
            )
        document = load_document()
        context.update(
            opening=opening,
            sections=[(s, by_section[s.pk]) for s in sections],
            document=document,
            loaded=bool(paragraphs),
        )
        return context


class ParagraphView(LoginRequiredMixin, TemplateView):
    template_name = "accountability/paragraph.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paragraph = get_object_or_404(
            Paragraph.objects.select_related("section"), number=kwargs["number"]
        )
        paragraph.evidence = evidence_by_paragraph(self.request.user).get(paragraph.number, [])
        context["paragraph"] = paragraph
        return context

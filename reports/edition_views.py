"""Edition pages: the list, the create and edit forms, an edition with its workflow, the editor of
one section in one language with its live preview and comments, the downloads of an issued
edition, and the designation of report authors. Every change is an action of reports.editions;
a refusal (an issued edition, a step out of turn) is a message on the page, never a 500."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from core import actions
from core.generic import Column, ScopedDetailView, ScopedListView, add_errors, visible_or_404
from core.models import HistoryEntry, StaleVersion
from reports import editions, figure_refs
from reports.choices import CONTENT_TYPES, FileFormat
from reports.forms import AuthorForm, CommentForm, EditionForm, SectionTextForm
from reports.models import (
    EditionFile,
    EditionSection,
    EditionState,
    ReportAuthor,
    ReportEdition,
    SectionComment,
)

STALE = gettext_lazy("Someone saved this in the meantime: reload the page to see their change.")


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class EditionListView(ScopedListView):
    model = ReportEdition
    template_name = "reports/edition_list.html"
    title = gettext_lazy("Editions of the Secretary-General's report")
    export_name = "report-editions"
    columns = [
        Column(gettext_lazy("Symbol"), "symbol", link=True),
        Column(gettext_lazy("Session"), "session"),
        Column(gettext_lazy("Agenda item"), "agenda_item"),
        Column(gettext_lazy("Period start"), "period_start"),
        Column(gettext_lazy("Period end"), "period_end"),
        Column(gettext_lazy("State"), "get_state_display"),
        Column(gettext_lazy("Issued at"), "issued_at"),
    ]

    def base_queryset(self):
        return super().base_queryset().defer("snapshots")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = actions.may(self.request.user, "add", ReportEdition)
        context["can_designate"] = actions.may(self.request.user, "add", ReportAuthor)
        return context


class AuthorRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actions.may(request.user, "add", ReportEdition):
            raise PermissionDenied(str(editions.AUTHORS_ONLY))
        return super().dispatch(request, *args, **kwargs)


class EditionCreateView(AuthorRequiredMixin, FormView):
    form_class = EditionForm
    template_name = "reports/edition_form.html"

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            edition = editions.create_edition(ReportEdition(**data), acting_user=self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The edition is created; its figures are being compiled."))
        return redirect(edition)


class EditionObjectMixin(LoginRequiredMixin):
    """The edition of the URL, if the user may see it (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.edition = visible_or_404(ReportEdition, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class EditionUpdateView(EditionObjectMixin, FormView):
    form_class = EditionForm
    template_name = "reports/edition_form.html"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        return response

    def get(self, request, *args, **kwargs):
        if self.edition.state != EditionState.DRAFT:
            messages.error(
                request, _("Only a draft is edited: send the edition back to draft first.")
            )
            return redirect(self.edition)
        actions.require(request.user, "edit", self.edition)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        actions.require(request.user, "edit", self.edition)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ReportEdition.objects.get(pk=self.edition.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["edition"] = self.edition
        return context

    def form_valid(self, form):
        changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if form.cleaned_data.get("version"):
            self.edition.version = form.cleaned_data["version"]
        try:
            editions.update_edition(self.edition, acting_user=self.request.user, changes=changes)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except StaleVersion:
            form.add_error(None, str(STALE))
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.edition)


class EditionDetailView(ScopedDetailView):
    model = ReportEdition
    template_name = "reports/edition_detail.html"
    context_object_name = "edition"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("created_by", "submitted_by", "approved_by", "issued_by", "previous")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition, user = self.object, self.request.user
        sections = {(s.key, s.language): s for s in edition.sections.all()}
        open_by_key: dict[str, int] = {}
        for comment in edition.comments.filter(resolved=False):
            open_by_key[comment.section_key] = open_by_key.get(comment.section_key, 0) + 1
        problems = editions.text_problems(edition)
        problem_keys = {(key, language) for key, language, _m in problems}
        rows = []
        for key, title in editions.section_keys(edition, "en"):
            cells = []
            for language in edition.languages:
                section = sections.get((key, language))
                text = section.text if section else ""
                cells.append(
                    {
                        "language": language,
                        # Chinese is not written in words separated by spaces: count characters.
                        "chars": len("".join(text.split())) if language.startswith("zh") else None,
                        "words": len(text.split()),
                        "problem": (key, language) in problem_keys,
                    }
                )
            rows.append(
                {"key": key, "title": title, "cells": cells, "open": open_by_key.get(key, 0)}
            )
        context.update(
            rows=rows,
            problems=problems,
            next_actor=editions.next_actor(edition),
            files=list(edition.files.all()) if edition.is_issued else [],
            can_edit=edition.state == EditionState.DRAFT and actions.allowed(user, "edit", edition),
            can_submit=edition.state == EditionState.DRAFT
            and actions.allowed(user, "submit", edition),
            can_reopen=edition.state in (EditionState.IN_REVIEW, EditionState.APPROVED)
            and actions.allowed(user, "reopen", edition),
            can_approve=edition.state == EditionState.IN_REVIEW
            and actions.allowed(user, "approve", edition),
            approval_blockers=editions.approval_blockers(edition, user)
            if edition.state == EditionState.IN_REVIEW
            else [],
            can_issue=edition.state == EditionState.APPROVED
            and actions.allowed(user, "issue", edition),
            can_refresh=edition.state == EditionState.DRAFT
            and actions.allowed(user, "refresh", edition),
        )
        return context


class EditionJobView(EditionObjectMixin, View):
    """The job panel the edition page polls (htmx) while its figures compile or it is issued."""

    def get(self, request, pk):
        edition = ReportEdition.objects.defer("snapshots").get(pk=self.edition.pk)
        html = render_to_string("reports/edition_job.html", {"edition": edition}, request=request)
        response = HttpResponse(html)
        if not edition.job_active and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


TRANSITIONS = {
    "submit": (editions.submit_edition, gettext_lazy("The edition is sent for review.")),
    "approve": (editions.approve_edition, gettext_lazy("The edition is approved.")),
    "reopen": (editions.reopen_edition, gettext_lazy("The edition is back in draft.")),
    "issue": (
        editions.issue_edition,
        gettext_lazy("The edition is being issued; this page shows when it is done."),
    ),
    "refresh": (editions.refresh_figures, gettext_lazy("The figures are being compiled again.")),
}


class EditionTransitionView(EditionObjectMixin, View):
    """A workflow button: the action runs; a refusal is a message on the edition's page."""

    def post(self, request, pk, transition):
        if transition not in TRANSITIONS:
            raise Http404
        function, success = TRANSITIONS[transition]
        version = request.POST.get("version", "")
        if version.isdigit():
            self.edition.version = int(version)
        try:
            function(self.edition, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        except StaleVersion:
            messages.error(request, str(STALE))
        else:
            messages.success(request, str(success))
        return redirect(self.edition)


class SectionMixin(EditionObjectMixin):
    def dispatch(self, request, *args, **kwargs):
        response = None
        if request.user.is_authenticated:
            self.edition = visible_or_404(ReportEdition, request.user, pk=kwargs["pk"])
            self.section = get_object_or_404(
                EditionSection.objects.restrict(request.user, "view"),
                edition=self.edition,
                key=kwargs["key"],
                language=kwargs["language"],
            )
        response = super(EditionObjectMixin, self).dispatch(request, *args, **kwargs)
        return response

    def titles(self) -> dict[str, str]:
        return dict(editions.section_keys(self.edition, self.section.language))

    def snapshot(self) -> dict | None:
        return (self.edition.snapshots or {}).get(self.section.language)


def preview(text: str, snapshot: dict | None, language: str) -> dict:
    """The section as the report will print it: figures filled, Markdown rendered (with the
    document renderer's own Markdown when present), reference errors listed."""
    if snapshot is None:
        return {"html": "", "problems": [], "no_figures": True}
    filled = figure_refs.fill(text, snapshot)
    problems = figure_refs.problems(text, snapshot)
    try:
        from reports import narrative

        apparatus = narrative.Apparatus(language=language)
        html = narrative.html(filled, apparatus, numbered=True)
        problems += list(narrative.problems(filled))
    except ImportError:  # the document renderer without its Markdown module
        html = linebreaks(escape(filled))
    return {"html": html, "problems": problems, "no_figures": False}


class EditionSectionView(SectionMixin, FormView):
    """The editor of one section in one language: text, live preview, comments."""

    form_class = SectionTextForm
    template_name = "reports/edition_section.html"

    def get_initial(self):
        return {"text": self.section.text, "version": self.section.version}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition, section, user = self.edition, self.section, self.request.user
        comments = edition.comments.filter(section_key=section.key).select_related(
            "author", "resolved_by"
        )
        text = context["form"]["text"].value() or ""
        context.update(
            edition=edition,
            section=section,
            title=self.titles().get(section.key, section.key),
            can_write=edition.state == EditionState.DRAFT
            and actions.allowed(user, "change", section),
            can_comment=not edition.is_issued and actions.allowed(user, "comment", edition),
            comments=comments,
            comment_form=CommentForm(prefix="comment", initial={"language": section.language}),
            preview=preview(text, self.snapshot(), section.language),
            siblings=[
                (key, title, language)
                for language in edition.languages
                for key, title in editions.section_keys(edition, language)
                if key == section.key and language != section.language
            ],
            sections=editions.section_keys(edition, section.language),
            # The section's own history: every saved text, by whom and when.
            history_entries=self.history(section),
            history_object=f"{section._meta.label_lower}:{section.pk}",
        )
        return context

    @staticmethod
    def history(section) -> list:
        from core import history

        entries = list(HistoryEntry.objects.for_object(section)[:50])
        if any(entry.seq >= history.PENDING for entry in entries):
            history.link_pending()  # as core.generic.HistoryMixin: linked before shown
            entries = list(HistoryEntry.objects.for_object(section)[:50])
        return entries

    def form_valid(self, form):
        try:
            editions.save_section(
                self.section,
                acting_user=self.request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except StaleVersion:
            form.add_error(None, str(STALE))
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(
            "reports:edition_section", self.edition.pk, self.section.key, self.section.language
        )


class EditionPreviewView(SectionMixin, View):
    """The live preview (htmx): the posted text with its figures filled and its errors."""

    def post(self, request, pk, key, language):
        text = request.POST.get("text", "")[:100_000]
        html = render_to_string(
            "reports/edition_preview.html",
            {"preview": preview(text, self.snapshot(), language)},
            request=request,
        )
        return HttpResponse(html)


class CommentCreateView(SectionMixin, View):
    def post(self, request, pk, key, language):
        form = CommentForm(request.POST, prefix="comment")
        back = redirect("reports:edition_section", pk, key, language)
        if not form.is_valid():
            messages.error(request, _("Write the comment."))
            return back
        try:
            editions.add_comment(
                SectionComment(
                    edition=self.edition,
                    section_key=key,
                    language=form.cleaned_data["language"],
                    text=form.cleaned_data["text"],
                ),
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Comment added."))
        return back


class CommentResolveView(EditionObjectMixin, View):
    def post(self, request, pk, comment_pk):
        comment = get_object_or_404(
            SectionComment.objects.restrict(request.user, "view"),
            edition=self.edition,
            pk=comment_pk,
        )
        try:
            editions.resolve_comment(comment, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Comment resolved."))
        language = comment.language or (self.edition.languages or ["en"])[0]
        return redirect("reports:edition_section", pk, comment.section_key, language)


class EditionDownloadView(LoginRequiredMixin, View):
    """A file of an issued edition: an attachment, never sniffed, checked like a run's."""

    def get(self, request, pk, language, fmt):
        edition = get_object_or_404(
            ReportEdition.objects.restrict(request.user, "view").filter(state=EditionState.ISSUED),
            pk=pk,
        )
        file = get_object_or_404(
            EditionFile.objects.restrict(request.user, "view"),
            edition=edition,
            language=language,
            format=fmt,
        )
        return edition_file_response(file)


def edition_file_response(file: EditionFile):
    from django.core.files.storage import default_storage
    from django.http import FileResponse

    from reports.render import style_hash

    try:
        handle = default_storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=file.filename, content_type=CONTENT_TYPES[file.format]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Checksum-SHA256"] = file.sha256
    response["Cache-Control"] = "private, max-age=3600"
    if file.format == FileFormat.HTML:
        with default_storage.open(file.name, "rb") as html:
            response._csp_update = {"style-src": [style_hash(html.read())]}
    return response


class AuthorListView(LoginRequiredMixin, TemplateView):
    """The report authors (administrators designate and withdraw them)."""

    template_name = "reports/edition_authors.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actions.may(request.user, "add", ReportAuthor):
            raise PermissionDenied(str(editions.ADMINS_ONLY))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["authors"] = ReportAuthor.objects.restrict(
            self.request.user, "view"
        ).select_related("user", "designated_by")
        context["form"] = kwargs.get("form") or AuthorForm()
        return context

    def post(self, request):
        form = AuthorForm(request.POST)
        if form.is_valid():
            withdraw = request.POST.get("withdraw")
            user = (
                get_user_model()
                .objects.filter(username=form.cleaned_data["username"], is_active=True)
                .first()
            )
            if user is None:
                form.add_error("username", _("There is no active account with this user name."))
            elif withdraw:
                author = ReportAuthor.objects.filter(user=user).first()
                if author is not None:
                    editions.withdraw_author(author, acting_user=request.user)
                messages.success(request, _("The designation is withdrawn."))
                return redirect("reports:edition_authors")
            else:
                editions.designate_author(ReportAuthor(user=user), acting_user=request.user)
                messages.success(request, _("The user may now draft editions."))
                return redirect("reports:edition_authors")
        return self.render_to_response(self.get_context_data(form=form))

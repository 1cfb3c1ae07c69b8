"""How a student meets a self-check in a browser (the site or JupyterLab): the forms show the
options and no feedback; picking a wrong option and pressing Check shows that option's feedback
and not the right answer; only picking the right one shows "Right"."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def check_commit_first(page: Page, where: Locator, *, keyboard: bool = False) -> int:
    """Run the checks on every self-check inside ``where``; returns how many questions."""
    forms = where.locator(".crmc-selfcheck form")
    n = forms.count()
    assert n >= 4, f"expected the page's self-check questions, found {n}"
    for i in range(n):
        form = forms.nth(i)
        expect(form.locator(".crmc-sc-feedback")).to_have_text("")
        visible = " ".join(form.inner_text().split())
        for text in form.locator("template").evaluate_all(
                "ts => ts.map(t => t.content.textContent)"):
            feedback = " ".join(text.split(":", 1)[1].split())
            assert feedback[:40] not in visible, f"feedback shown before a pick: {feedback}"
    form = forms.first
    feedback = form.locator(".crmc-sc-feedback")
    letters = form.locator("template").evaluate_all(
        "ts => ts.map(t => [t.dataset.option, t.dataset.verdict])")
    wrong = next(letter for letter, verdict in letters if verdict == "wrong")
    right = next(letter for letter, verdict in letters if verdict == "right")
    right_text = form.locator(f'template[data-option="{right}"]').evaluate(
        "t => t.content.textContent")
    # Check before picking: a prompt, no answer.
    form.locator("button").click()
    expect(feedback).to_have_text("Pick an option first.")
    if keyboard:
        # Tab into the group, arrow to the wrong option, Tab to the button, Enter.
        form.locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")
        target = [letter for letter, _ in letters].index(wrong)
        for _ in range(target):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    else:
        form.locator(f'input[value="{wrong}"]').check()
        form.locator("button").click()
    expect(feedback).to_contain_text(f"({wrong}) Wrong")
    assert right_text.split(":", 1)[1].strip()[:40] not in feedback.inner_text()
    assert "Right:" not in feedback.inner_text()
    form.locator(f'input[value="{right}"]').check()
    expect(feedback).not_to_contain_text("Wrong")  # a new pick clears the old feedback
    form.locator("button").click()
    expect(feedback).to_contain_text(f"({right}) Right")
    return n

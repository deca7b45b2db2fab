"""The phone page's HTML: one Jinja2 template (autoescaped), its words in English and Chinese.

Plain HTML and CSS, no script: it works on any phone browser, and the Content-Security-Policy
the app sends forbids scripts altogether. Once nothing is left to answer, the page reloads itself
every 30 s (a meta refresh), so it shows the live state without disturbing a choice being made. Everything people typed (store names, notes, display
names) reaches the page only through Jinja2's autoescaping.
"""

from __future__ import annotations

from typing import Any, Final

from jinja2 import DictLoader, Environment, select_autoescape

from alerts.kinds import EN, ZH_CN
from storemon.services.phone_links import ARRIVAL_MINUTES, PhonePage

TEXTS: Final[dict[str, dict[str, str]]] = {
    EN: {
        "hello": "For {person}",
        "store": "Store",
        "level": "Level",
        "state": "State",
        "raised": "Raised at",
        "why": "What is happening",
        "paged": "Also paged",
        "nobody": "nobody else",
        "acked": "Acknowledged by {name} at {time}",
        "covered": "Covered by {name}",
        "coming": "{name} is coming, expected {time}",
        "offer": "Backup call: can you cover at this store now?",
        "offer_short": "Backup call",
        "sep": ", ",
        "ack": "Acknowledge",
        "coming_button": "I'm coming",
        "arrive": "I can be there in",
        "minutes": "{n} min",
        "cant": "Can't come",
        "accept": "Accept: I'll cover",
        "decline": "Decline",
        "answered": "You answered with this link: {answer}. It cannot be used again.",
        "refresh": "Refresh",
        "nothing_to_do": "Nothing left to answer here.",
        "answer.ack": "Acknowledged",
        "answer.coming": "I'm coming",
        "answer.cant": "Can't come",
        "answer.accept": "Accepted the backup call",
        "answer.decline": "Declined the backup call",
        "offer.offered": "Offered to you",
        "offer.accepted": "You accepted",
        "offer.declined": "You declined",
        "offer.withdrawn": "Someone else is covering",
        "error.forged": "This link is not valid",
        "error.forged.more": "It may have been changed or cut short. Open it again from your message.",
        "error.expired": "This link has expired",
        "error.expired.more": "Links work for a few hours. Ask for a new one, or answer in Storemon.",
        "error.person": "This link cannot be used",
        "error.person.more": "The account it was made for is not active or can no longer see this alert.",
        "error.used": "This link was already used",
        "error.used.more": "Nothing was changed. This is how things stand now.",
        "error.closed": "This cannot be answered any more",
        "error.closed.more": "Nothing was changed. This is how things stand now.",
        "error.not_allowed": "This link does not allow that answer",
        "error.not_allowed.more": "Nothing was changed.",
        "error.csrf": "The page was out of date",
        "error.csrf.more": "Nothing was changed. Open the link again and answer once more.",
        "error.busy": "Too many requests",
        "error.busy.more": "Wait a minute, then open the link again.",
        "error.missing": "Nothing here",
        "error.missing.more": "Open the link from your message.",
        "language": "中文",
    },
    ZH_CN: {
        "hello": "{person}，您好",
        "store": "门店",
        "level": "升级层级",
        "state": "状态",
        "raised": "发起时间",
        "why": "发生了什么",
        "paged": "同时通知了",
        "nobody": "没有其他人",
        "acked": "{name} 已于 {time} 确认接单",
        "covered": "{name} 已接受支援",
        "coming": "{name} 正在赶来，预计 {time} 到达",
        "offer": "呼叫支援：您现在能来这家门店补位吗？",
        "offer_short": "呼叫支援",
        "sep": "、",
        "ack": "确认接单",
        "coming_button": "我马上到",
        "arrive": "预计到达",
        "minutes": "{n} 分钟",
        "cant": "去不了",
        "accept": "接受：我来补位",
        "decline": "婉拒",
        "answered": "您已用此链接回复：{answer}。链接不能再次使用。",
        "refresh": "刷新",
        "nothing_to_do": "这里已没有需要回复的事项。",
        "answer.ack": "确认接单",
        "answer.coming": "我马上到",
        "answer.cant": "去不了",
        "answer.accept": "已接受支援",
        "answer.decline": "已婉拒支援",
        "offer.offered": "正在邀请您",
        "offer.accepted": "您已接受",
        "offer.declined": "您已婉拒",
        "offer.withdrawn": "已有其他人补位",
        "error.forged": "此链接无效",
        "error.forged.more": "链接可能被改动或截断。请从消息中重新打开。",
        "error.expired": "此链接已过期",
        "error.expired.more": "链接只在几小时内有效。请索取新链接，或在 Storemon 中处理。",
        "error.person": "此链接无法使用",
        "error.person.more": "链接所属的账户已停用，或已无权查看此告警。",
        "error.used": "此链接已经用过",
        "error.used.more": "没有任何改动。以下是当前状态。",
        "error.closed": "此事项已无法再回复",
        "error.closed.more": "没有任何改动。以下是当前状态。",
        "error.not_allowed": "此链接不允许该回复",
        "error.not_allowed.more": "没有任何改动。",
        "error.csrf": "页面已过期",
        "error.csrf.more": "没有任何改动。请重新打开链接再回复一次。",
        "error.busy": "请求过于频繁",
        "error.busy.more": "请稍等一分钟后再打开链接。",
        "error.missing": "这里什么也没有",
        "error.missing.more": "请从消息中打开链接。",
        "language": "English",
    },
}

_TEMPLATE = """<!doctype html>
<html lang="{{ 'zh-CN' if language == 'zh_CN' else 'en' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
{% if page and not page.choices %}<meta http-equiv="refresh" content="30">{% endif %}
<title>{{ heading }} · Storemon</title>
<style>
:root { --ink:#1d2430; --soft:#5b6575; --line:#d9dee6; --ok:#1f7a3f; --bad:#b3261e; --warn:#a15c00; }
* { box-sizing: border-box; }
body { margin:0; font:17px/1.45 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei",
       "WenQuanYi Micro Hei", sans-serif; color:var(--ink); background:#f4f6f9; }
main { max-width:34rem; margin:0 auto; padding:1rem; }
header { display:flex; justify-content:space-between; align-items:baseline; color:var(--soft); font-size:.9rem;
         margin-bottom:.6rem; }
header a { color:var(--soft); }
h1 { font-size:1.35rem; margin:.6rem 0 .2rem; }
.card { background:#fff; border:1px solid var(--line); border-radius:12px; padding:1rem; margin:.8rem 0; }
.critical { border-left:6px solid var(--bad); } .warning { border-left:6px solid var(--warn); }
.info { border-left:6px solid var(--soft); }
.store { font-weight:600; font-size:1.1rem; }
dl { display:grid; grid-template-columns:auto 1fr; gap:.25rem .8rem; margin:.6rem 0 0; }
dt { color:var(--soft); } dd { margin:0; }
ul { margin:.3rem 0 0; padding-left:1.2rem; }
.state { font-weight:600; } .good { color:var(--ok); }
.banner { background:#fff4e5; border:1px solid #f0c36d; border-radius:12px; padding:.8rem 1rem; }
.banner.error { background:#fdecea; border-color:#e8a29c; }
.banner p { margin:.3rem 0 0; }
form { margin:0; }
button { display:block; width:100%; min-height:3.2rem; margin:.6rem 0 0; border:0; border-radius:10px;
         font:inherit; font-weight:600; color:#fff; background:#1a5fb4; }
button.go { background:var(--ok); } button.no { background:#fff; color:var(--bad); border:2px solid var(--bad); }
fieldset { border:0; padding:0; margin:.8rem 0 0; display:flex; flex-wrap:wrap; gap:.4rem; }
legend { color:var(--soft); margin-bottom:.3rem; width:100%; }
fieldset label { flex:1 1 22%; text-align:center; border:1px solid var(--line); border-radius:8px;
                 padding:.55rem 0; background:#fff; }
fieldset input { margin-right:.2rem; }
.muted { color:var(--soft); font-size:.9rem; }
</style>
</head>
<body><main>
<header><span>Storemon</span>{% if switch %}<a href="{{ switch }}">{{ t.language }}</a>{% endif %}</header>
{% if problem %}
<div class="banner{% if not page %} error{% endif %}" role="alert"><strong>{{ t['error.' + problem] }}</strong>
<p>{{ t['error.' + problem + '.more'] }}</p></div>
{% endif %}
{% if page %}
<h1>{{ page.title }}</h1>
<p class="muted">{{ t.hello.format(person=page.person) }}</p>
<section class="card {{ page.severity }}">
<div class="store">{{ page.store_code }} {{ page.store_name }}</div>
<dl>
<dt>{{ t.state }}</dt><dd class="state" id="state">{{ page.status_text }}</dd>
<dt>{{ t.level }}</dt><dd>L{{ page.level }} {{ page.level_text }}</dd>
<dt>{{ t.raised }}</dt><dd>{{ page.fired_at }}</dd>
{% for label, value in page.fields %}{% if value %}<dt>{{ label }}</dt><dd>{{ value }}</dd>{% endif %}{% endfor %}
</dl>
{% if page.reasons or page.note %}
<h2 class="muted">{{ t.why }}</h2>
<ul id="reasons">{% for reason in page.reasons %}<li>{{ reason }}</li>{% endfor %}
{% if page.note %}<li>{{ page.note }}</li>{% endif %}</ul>
{% endif %}
</section>
<section class="card" id="people">
{% if page.owner %}<p class="good">{{ t.acked.format(name=page.owner, time=page.acknowledged_at) }}</p>{% endif %}
{% if page.covered_by %}<p class="good">{{ t.covered.format(name=page.covered_by) }}</p>{% endif %}
{% for name, time in page.coming %}<p class="good">{{ t.coming.format(name=name, time=time) }}</p>{% endfor %}
<p><span class="muted">{{ t.paged }}:</span> {{ page.paged | join(t.sep) if page.paged else t.nobody }}</p>
{% if page.offer %}<p><span class="muted">{{ t.offer_short }}:</span> {{ t['offer.' + page.offer] }}</p>{% endif %}
</section>
{% if page.answered %}
<p class="banner" id="answered">{{ t.answered.format(answer=t['answer.' + page.answered]) }}</p>
{% elif page.choices %}
<section class="card" id="answer">
{% if 'accept' in page.choices %}<p><strong>{{ t.offer }}</strong></p>{% endif %}
{% if 'ack' in page.choices %}
<form method="post"><input type="hidden" name="csrf" value="{{ csrf }}">
<button type="submit" name="answer" value="ack">{{ t.ack }}</button></form>
{% endif %}
{% if 'coming' in page.choices or 'accept' in page.choices %}
<form method="post"><input type="hidden" name="csrf" value="{{ csrf }}">
<fieldset><legend>{{ t.arrive }}</legend>
{% for n in minutes %}<label><input type="radio" name="minutes" value="{{ n }}"{% if n == 20 %} checked{% endif %}>{{ t.minutes.format(n=n) }}</label>{% endfor %}
</fieldset>
{% if 'accept' in page.choices %}
<button class="go" type="submit" name="answer" value="accept">{{ t.accept }}</button>
{% else %}
<button class="go" type="submit" name="answer" value="coming">{{ t.coming_button }}</button>
{% endif %}
</form>
{% endif %}
{% for choice in ('cant', 'decline') %}{% if choice in page.choices %}
<form method="post"><input type="hidden" name="csrf" value="{{ csrf }}">
<button class="no" type="submit" name="answer" value="{{ choice }}">{{ t[choice] }}</button></form>
{% endif %}{% endfor %}
</section>
{% else %}
<p class="muted">{{ t.nothing_to_do }}</p>
{% endif %}
<p><a href="{{ here }}">{{ t.refresh }}</a></p>
{% endif %}
</main></body></html>
"""

_ENV = Environment(loader=DictLoader({"page.html": _TEMPLATE}), autoescape=select_autoescape(default=True))


def render_page(
    language: str,
    *,
    page: PhonePage | None = None,
    problem: str = "",
    csrf: str = "",
    here: str = "",
    switch: str = "",
) -> str:
    """The whole HTML document: the alert (when there is one to show), a problem banner, the answers."""
    texts = TEXTS.get(language, TEXTS[EN])
    heading = page.title if page else texts[f"error.{problem or 'missing'}"]
    context: dict[str, Any] = {
        "language": language,
        "t": texts,
        "page": page,
        "problem": problem,
        "csrf": csrf,
        "here": here,
        "switch": switch,
        "heading": heading,
        "minutes": ARRIVAL_MINUTES,
    }
    return _ENV.get_template("page.html").render(context)

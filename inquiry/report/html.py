"""The report as ONE self-contained HTML file: inline CSS, vanilla JS, SVG charts.

LGWAN terminals have no network, so the file references nothing outside
itself (no font, no script, no image; a test checks there is no ``http``
or ``//`` reference). The summary tables, the charts and the first page of
every long table are plain HTML, so the report prints (A4, print CSS) and
reads without JavaScript. All table rows (of the homonyms, the nearest
ones: :attr:`Table.html_limit`; the page says the rest are in the xlsx) and
the detail of every person those rows name are embedded once as
gzip-compressed JSON (base85; a person column as indexes into the persons'
detail), which the
browser unpacks with its own ``DecompressionStream``; the small script then
makes every table sortable, filterable and paged, and opens a person's
detail (inquiries, answers, accounts, decisions) from any link naming them.

Untrusted text (a holder name typed at a bank counter) is escaped here and
inserted with ``textContent`` by the script, never as markup.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from html import escape
from typing import Any

import numpy as np
import polars as pl

from inquiry.report.charts import bar_chart, hbar_chart
from inquiry.report.step import Col, Report, Table
from inquiry.vocabulary import ANSWER_LABELS, ANSWERS, PROVIDER_LABELS

__all__ = ["render_html", "payload", "FIRST_PAGE"]

#: rows of a long table written as HTML (the rest is shown by the script)
FIRST_PAGE = 50
#: a table with at most this many rows is written whole
SMALL = 300
OUTCOME_CODES = ("PENDING", *ANSWERS)


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "key":
        return _mask(str(value))
    if kind in ("int", "yen"):
        return f"{int(value):,}"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "score":
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _mask(number: str) -> str:
    """An account number as its last four digits: the page is an overview that many open;
    the full numbers are in the workbook and the exports."""
    return "…" + number[-4:] if len(number) > 4 else number


def _cell(value: Any, col: Col) -> str:
    text = _fmt(value, col.kind)
    if col.kind == "person" and text:
        return f'<td><a class="pl" href="#p-{escape(text)}" data-p="{escape(text)}">{escape(text)}</a></td>'
    if col.kind == "persons" and text:
        links = " ".join(f'<a class="pl" href="#p-{escape(p)}" data-p="{escape(p)}">{escape(p)}</a>' for p in text.split(";") if p)
        return f"<td>{links}</td>"
    num = col.kind in ("int", "yen", "pct", "score")
    attr = f' class="n" data-v="{escape(str(value))}"' if num and value is not None else (' class="n"' if num else "")
    if col.kind in ("date", "key"):
        attr = ' class="d"'
    return f"<td{attr}>{escape(text)}</td>"


def _label(c: Col) -> str:
    return c.label + " (下4桁)" if c.kind == "key" and c.name == "account_number" else c.label


def _table_html(t: Table) -> str:
    frame = t.html_frame
    whole = frame.height <= SMALL
    rows = frame if whole else frame.head(FIRST_PAGE)
    head = "".join(f'<th class="{"n" if c.kind in ("int", "yen", "pct", "score") else ""}">{escape(_label(c))}</th>' for c in t.columns)
    body = []
    names = [c.name for c in t.columns]
    for i, values in enumerate(rows.select(names).iter_rows()):
        rid = ""
        if t.row_id is not None:
            rid = f' data-row="{escape(str(values[names.index(t.row_id)]))}"'
        cls = ' class="total"' if t.total and i == rows.height - 1 else ""
        body.append(f"<tr{rid}{cls}>" + "".join(_cell(v, c) for v, c in zip(values, t.columns)) + "</tr>")
    shown = f"{frame.height:,} 件" if whole else f"{frame.height:,} 件中 先頭 {rows.height:,} 件 (すべての行は画面で表示・並べ替えできます)"
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    if t.html_note:
        note += f'<p class="note capped">{escape(t.html_note)}</p>'
    return (
        f'<section class="tbl" id="t-{t.key}"><h3>{escape(t.title)}</h3>{note}'
        f'<div class="ctl" data-for="{t.key}"></div>'
        f'<p class="count" data-count="{frame.height}">{escape(shown)}</p>'
        f'<div class="scroll"><table data-table="{t.key}" data-rows="{frame.height}" data-total="{int(t.total)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _packed(s: pl.Series) -> Any:
    """A column as compact JSON: repeated text as a dictionary, sorted numbers as deltas.

    ``{"d": [values], "i": [indexes]}`` or ``{"z": [deltas]}``; the script
    unpacks both. Deflate does the rest, so that a year of hits fits the
    size budget.
    """
    n = s.len()
    if s.dtype == pl.Utf8 and n > 64:
        uniq = s.drop_nulls().unique().sort()
        if uniq.len() <= max(n * 0.3, 16):
            idx = s.replace_strict(uniq, pl.int_range(uniq.len(), eager=True), default=None, return_dtype=pl.Int32)
            return {"d": uniq.to_list(), "i": idx.to_list()}
    if s.dtype.is_integer() and n > 64 and s.null_count() == 0:
        d = s.diff().fill_null(s.first())
        if d.abs().sum() < s.abs().sum() * 0.5:
            return {"z": d.to_list()}
    return s.to_list()


def _columnar(frame: pl.DataFrame, cols: list[Col], people: pl.DataFrame) -> list[Any]:
    out = []
    for c in cols:
        s = frame[c.name]
        if c.kind == "person" and frame.height > 64:
            # an index into the persons' detail, which the page carries anyway
            idx = pl.DataFrame({"person_id": s}).join(people, on="person_id", how="left", maintain_order="left")["pi"]
            if idx.null_count() == s.null_count():
                out.append({"p": idx.to_list()})
                continue
        if c.kind == "key" and c.name == "account_number":
            s = s.str.slice(-4)
        if s.dtype == pl.Date:
            s = s.dt.strftime("%Y-%m-%d")
        elif s.dtype == pl.Float64 and c.kind == "score":
            s = s.round(2)
        elif s.dtype == pl.Float64 and c.kind == "pct":
            s = s.round(4)
        out.append(None if c.kind == "pname" else _packed(s))
    return out


def payload(rep: Report) -> dict[str, Any]:
    """Everything the script needs: every table's rows and the persons' detail."""
    p = rep.persons
    people = p.select("person_id").with_row_index("pi")
    tables = {
        t.key: {"cols": [[c.name, _label(c), c.kind] for c in t.columns], "data": _columnar(t.html_frame, t.columns, people), "total": t.total,
                  "rowid": [c.name for c in t.columns].index(t.row_id) if t.row_id else None}
        for t in rep.tables
    }
    inq = rep.inquiries
    # an inquiry is (institution, service, sent, answered) — few distinct per office — plus its answer
    ctx_cols = ["sent_on", "answered_on", "provider", "bank_code", "bank_name"]
    ctx = inq.select(ctx_cols).unique().sort(ctx_cols, nulls_last=True).with_row_index("ctx")
    coded = (
        inq.join(ctx, on=ctx_cols, how="left", nulls_equal=True)
        .join(people, on="person_id", how="inner")
        .with_columns(o=pl.col("outcome").replace_strict(OUTCOME_CODES, list(range(len(OUTCOME_CODES))), return_dtype=pl.Int8))
        .sort("pi", "ctx")
    )
    counts = p.select("person_id").join(coded.group_by("person_id").agg(pl.len().alias("n")), on="person_id", how="left")["n"].fill_null(0)
    deltas = coded.select(pl.col("ctx").cast(pl.Int64).diff().over("pi").fill_null(pl.col("ctx").cast(pl.Int64)))["ctx"]
    return {
        "tables": tables,
        "persons": {
            "id": p["person_id"].to_list(),
            "name": p["name_kanji"].to_list(),
            "kana": p["name_kana"].to_list(),
            "birth": p["birth_date"].to_list(),
            "addr": p["address"].to_list(),
            "hist": p["address_history"].to_list(),
            "arrears": p["arrears_yen"].to_list(),
            "cleared": p["cleared_on"].to_list(),
        },
        "inq": {
            "ctx": [[r[4] or r[3], PROVIDER_LABELS.get(r[2], r[2]), _fmt(r[0], "date"), _fmt(r[1], "date")] for r in ctx.select(ctx_cols).iter_rows()],
            "outcomes": [ANSWER_LABELS[c] for c in OUTCOME_CODES],
            "n": counts.to_list(),
            "d": deltas.to_list(),
            "o": coded["o"].cast(pl.Utf8).str.join("").item() if coded.height else "",  # one digit per inquiry
        },
    }


#: base85 digits: printable ASCII without the nine characters that mean something in HTML or JS
#: text (< > & " ' \\ / ` -), so the embedded data can never end its element or start a comment
B85 = bytes(c for c in range(33, 127) if chr(c) not in "<>&\"'\\/`-")


def _b85(data: bytes) -> bytes:
    """Base85 (big-endian groups of four bytes as five digits of :data:`B85`; the last group
    zero-padded and cut), with numpy: ``base64.b85encode`` is pure Python, a second for the year."""
    pad = -len(data) % 4
    words = np.frombuffer(data + b"\0" * pad, dtype=">u4").astype(np.uint64)
    digits = np.empty((words.size, 5), dtype=np.uint8)
    for i in range(4, -1, -1):
        words, digits[:, i] = np.divmod(words, 85)
    out = np.frombuffer(B85, dtype=np.uint8)[digits].tobytes()
    return out[: len(out) - pad] if pad else out


def _encoded(data: dict[str, Any]) -> str:
    """JSON → gzip → base85 (25 % larger than the bytes, where base64 is 33 %).

    Level 5: level 6 makes the year's page 5 % smaller in twice the time."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return _b85(gzip.compress(raw, compresslevel=5, mtime=0)).decode("ascii")


def _kpis(rep: Report) -> str:
    items = []
    for key, label, value, kind in rep.kpis:
        items.append(f'<div class="kpi"><div class="kl">{escape(label)}</div><div class="kv" id="kpi-{key}" data-v="{value}">{_fmt(value, kind)}</div></div>')
    return f'<div class="kpis">{"".join(items)}</div>'


def _chart(c: Any) -> str:
    svg = hbar_chart(c.labels, c.values) if c.kind == "hbar" else bar_chart(c.labels, c.values, unit=c.unit)
    return f'<figure class="chart" id="c-{c.key}"><figcaption>{escape(c.title)}</figcaption>{svg}</figure>'


_SECTIONS = (
    ("照会と回答", ("inq_service", "inq_institution", "ans_service", "ans_type"), ("hit_rate_type", "delay")),
    ("名寄せの結果", ("classes", "hits"), ("balance",)),
    ("確認が必要なもの・除外したもの", ("review", "decisions", "homonym_why", "homonyms"), ()),
    ("追跡照会と完納", ("followups", "income", "cleared"), ()),
    ("差押予定", ("seize_status", "seize_bank", "seize_staff", "seizures"), ()),
)


def render_html(rep: Report) -> str:
    """The whole report page as text."""
    charts = {c.key: c for c in rep.charts}
    tables = {t.key: t for t in rep.tables}
    lo, hi = rep.period
    period = f"{lo.isoformat()} 〜 {hi.isoformat()} 送信分" if lo and hi else "照会なし"
    nav = "".join(f'<a href="#s-{i}">{escape(title)}</a>' for i, (title, _, _) in enumerate(_SECTIONS))
    sections = []
    for i, (title, keys, chart_keys) in enumerate(_SECTIONS):
        figs = "".join(_chart(charts[k]) for k in chart_keys if k in charts)
        body = "".join(_table_html(tables[k]) for k in keys if k in tables)
        sections.append(f'<section class="part" id="s-{i}"><h2>{escape(title)}</h2>{f"<div class=figs>{figs}</div>" if figs else ""}{body}</section>')
    values = {
        "title": escape(f"預貯金等照会 該当状況報告 {rep.municipality} {rep.today.isoformat()}"),
        "municipality": escape(rep.municipality),
        "purpose": escape(rep.purpose),
        "period": escape(period),
        "generated": escape(rep.generated_at.strftime("%Y-%m-%d %H:%M")),
        "overdue": str(rep.overdue_days),
        "persons": f"{rep.persons_shown:,}",
        "detailed": f"{rep.persons_detailed:,}",
        "nav": nav,
        "kpis": _kpis(rep),
        "sections": "".join(sections),
        "css": _CSS,
        "js": _JS,
        "data": _encoded(payload(rep)),
        "alphabet": escape(B85.decode("ascii")),
    }
    # one pass, so that no inserted text is ever read as a placeholder
    return re.sub(r"@@(\w+)@@", lambda m: values[m.group(1)], _PAGE)


_CSS = """
:root{--ink:#1b1b1b;--mute:#666;--line:#d0d4da;--head:#eef2f7;--accent:#2f6db5;--warn:#b3261e}
*{box-sizing:border-box}
body{font-family:"BIZ UDPGothic","Yu Gothic UI","Meiryo","Hiragino Sans","Noto Sans CJK JP",sans-serif;color:var(--ink);margin:0 auto;max-width:1400px;padding:16px 24px;font-size:14px;line-height:1.5}
header h1{font-size:22px;margin:0 0 4px}
.meta{color:var(--mute);margin:0}
.purpose{border:2px solid var(--warn);color:var(--warn);padding:6px 10px;margin:10px 0;font-weight:bold}
nav{margin:8px 0 16px;display:flex;gap:16px;flex-wrap:wrap}
nav a{color:var(--accent)}
h2{font-size:18px;border-bottom:2px solid var(--accent);padding-bottom:2px;margin-top:28px}
h3{font-size:15px;margin:18px 0 4px}
.note{color:var(--mute);margin:2px 0 6px;font-size:12.5px}
.count{color:var(--mute);font-size:12px;margin:2px 0}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:12px 0}
.kpi{border:1px solid var(--line);border-radius:6px;padding:6px 10px;background:#fafbfc}
.kl{font-size:12px;color:var(--mute)}
.kv{font-size:20px;font-weight:bold;font-variant-numeric:tabular-nums}
.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px;align-items:start}
figure.chart{margin:8px 0;border:1px solid var(--line);border-radius:6px;padding:8px}
figcaption{font-weight:bold;font-size:13.5px;margin-bottom:4px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--head);position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.d{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#f6f6f6}
tbody tr:nth-child(even){background:#fbfbfd}
a.pl{color:var(--accent);cursor:pointer}
.ctl{display:flex;gap:8px;align-items:center;margin:4px 0;flex-wrap:wrap}
.ctl input{padding:3px 6px;min-width:220px}
.ctl button,.ctl select{padding:2px 8px}
dialog{max-width:1000px;width:92vw;border:1px solid var(--line);border-radius:8px;padding:16px}
dialog h3{margin-top:12px}
dialog .close{float:right}
dl.pd{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dl.pd dt{color:var(--mute)}
.nojs{color:var(--mute);font-size:12px}
@media print{
 @page{size:A4;margin:12mm}
 body{max-width:none;padding:0;font-size:10.5px}
 nav,.ctl,dialog,.nojs{display:none!important}
 th{position:static}
 table{font-size:9.5px}
 section.part{break-before:page}
 section.part:first-of-type{break-before:auto}
 figure.chart,tr{break-inside:avoid}
 .figs{grid-template-columns:1fr 1fr}
 a.pl{color:inherit;text-decoration:none}
}
"""

_JS = r"""
(function(){
"use strict";
var D=null;
function el(t,a,txt){var e=document.createElement(t);if(a)for(var k in a)e.setAttribute(k,a[k]);if(txt!=null)e.textContent=txt;return e}
function fmt(v,k){if(v===null||v===undefined)return"";if(k==="int"||k==="yen")return Number(v).toLocaleString("ja-JP");
 if(k==="pct")return(v*100).toFixed(1)+"%";if(k==="score")return Number(v).toFixed(2);return String(v)}
function personLinks(td,v){String(v).split(";").forEach(function(p,i){if(!p)return;if(i)td.appendChild(document.createTextNode(" "));
 var a=el("a",{"class":"pl",href:"#p-"+p,"data-p":p},p);td.appendChild(a)})}
function cell(v,k){var td=el("td");if(k==="int"||k==="yen"||k==="pct"||k==="score"){td.className="n";if(v!==null)td.setAttribute("data-v",v)}else if(k==="date"||k==="key")td.className="d";
 if((k==="person"||k==="persons")&&v)personLinks(td,v);else td.textContent=fmt(v,k);return td}
function Grid(tableEl,spec){var self=this;this.t=tableEl;this.s=spec;var n=spec.data.length?spec.data[0].length:0;
 this.fixed=spec.total&&n>0?n-1:-1;this.all=[];for(var i=0;i<n;i++)if(i!==this.fixed)this.all.push(i);this.rows=this.all.slice();
 this.page=0;this.size=50;this.sortCol=-1;this.dir=1;var key=tableEl.getAttribute("data-table");
 var ctl=document.querySelector('.ctl[data-for="'+key+'"]');this.count=tableEl.closest("section").querySelector(".count");
 var q=el("input",{type:"search",placeholder:"絞り込み (氏名・金融機関・番号など)","aria-label":"絞り込み"});
 var prev=el("button",{type:"button"},"前へ"),next=el("button",{type:"button"},"次へ"),pg=el("span");
 var sz=el("select",{"aria-label":"表示件数"});[50,200,1000,0].forEach(function(s){var o=el("option",{value:s},s?s+"件":"全件");sz.appendChild(o)});
 ctl.appendChild(q);if(n>50){ctl.appendChild(prev);ctl.appendChild(pg);ctl.appendChild(next);ctl.appendChild(sz)}this.pg=pg;
 var timer=null;q.addEventListener("input",function(){clearTimeout(timer);timer=setTimeout(function(){self.filter(q.value)},200)});
 prev.onclick=function(){if(self.page>0){self.page--;self.draw()}};next.onclick=function(){if((self.page+1)*self.size<self.rows.length){self.page++;self.draw()}};
 sz.onchange=function(){self.size=Number(sz.value);self.page=0;self.draw()};
 Array.prototype.forEach.call(tableEl.querySelectorAll("th"),function(th,c){th.onclick=function(){self.sort(c,th)}});
 this.draw()}
Grid.prototype.text=function(i){var s="",d=this.s.data;for(var c=0;c<d.length;c++){var v=d[c][i];if(v!==null)s+=String(v)+"\u0001"}return s.toLowerCase()};
Grid.prototype.filter=function(q){q=q.trim().toLowerCase();var self=this;
 if(!q)this.rows=this.all.slice();else{var ws=q.split(/\s+/);this.rows=this.all.filter(function(i){var t=self.text(i);return ws.every(function(w){return t.indexOf(w)>=0})})}
 if(this.sortCol>=0)this.order();this.page=0;this.draw()};
Grid.prototype.order=function(){var col=this.s.data[this.sortCol],dir=this.dir,num=["int","yen","pct","score"].indexOf(this.s.cols[this.sortCol][2])>=0;
 this.rows.sort(function(a,b){var x=col[a],y=col[b];if(x===y)return a-b;if(x===null)return 1;if(y===null)return-1;
  if(num)return(x-y)*dir;return(String(x)<String(y)?-1:1)*dir})};
Grid.prototype.sort=function(c,th){if(this.sortCol===c)this.dir=-this.dir;else{this.sortCol=c;var k=this.s.cols[c][2];this.dir=(k==="int"||k==="yen"||k==="pct"||k==="score")?-1:1}
 Array.prototype.forEach.call(this.t.querySelectorAll("th"),function(h){h.classList.remove("asc","desc")});th.classList.add(this.dir>0?"asc":"desc");
 this.order();this.page=0;this.draw()};
Grid.prototype.draw=function(){var tb=el("tbody"),d=this.s.data,cols=this.s.cols,size=this.size||this.rows.length;
 var start=this.page*size,end=Math.min(this.rows.length,start+size),frag=document.createDocumentFragment();
 var rid=this.s.rowid;var add=function(i,cls){var tr=el("tr");if(cls)tr.className=cls;if(rid!==null&&rid!==undefined)tr.setAttribute("data-row",d[rid][i]);for(var c=0;c<cols.length;c++)tr.appendChild(cell(d[c][i],cols[c][2]));frag.appendChild(tr)};
 for(var r=start;r<end;r++)add(this.rows[r]);if(this.fixed>=0)add(this.fixed,"total");tb.appendChild(frag);
 this.t.replaceChild(tb,this.t.tBodies[0]);var total=this.all.length;
 this.count.textContent=(this.rows.length===total?total.toLocaleString("ja-JP")+" 件":total.toLocaleString("ja-JP")+" 件中 "+this.rows.length.toLocaleString("ja-JP")+" 件が一致")+
  (this.rows.length>size?" (表示 "+(start+1).toLocaleString("ja-JP")+"〜"+end.toLocaleString("ja-JP")+" 件目)":"");
 if(this.pg)this.pg.textContent=(this.page+1)+" / "+Math.max(1,Math.ceil(this.rows.length/size))};
var P=null;
function personIndex(){if(P)return P;P={};D.persons.id.forEach(function(id,i){P[id]=i});return P}
var OFFS=null;
function offsets(){if(OFFS)return OFFS;OFFS=[];var s=0;D.inq.n.forEach(function(n){OFFS.push(s);s+=n});return OFFS}
function personInq(i){var q=D.inq,start=offsets()[i],out=[],x=0;
 for(var j=0;j<q.n[i];j++){x+=q.d[start+j];var c=q.ctx[x];out.push([c[0],c[1],c[2],c[3],q.outcomes[q.o.charCodeAt(start+j)-48]])}return out}
function miniTable(head,rows){var t=el("table"),h=el("tr");head.forEach(function(x){h.appendChild(el("th",null,x))});var th=el("thead");th.appendChild(h);t.appendChild(th);
 var tb=el("tbody");rows.forEach(function(r){var tr=el("tr");r.forEach(function(v){var td=el("td",null,v==null?"":String(v));tr.appendChild(td)});tb.appendChild(tr)});t.appendChild(tb);return t}
function rowsNaming(id){var out=[];for(var key in D.tables){var s=D.tables[key],pc=[];s.cols.forEach(function(c,j){if(c[2]==="person"||c[2]==="persons")pc.push(j)});
 if(!pc.length)continue;var n=s.data[0]?s.data[0].length:0;for(var i=0;i<n;i++){for(var k=0;k<pc.length;k++){var v=s.data[pc[k]][i];
  if(v&&(v===id||(";"+v+";").indexOf(";"+id+";")>=0)){out.push([key,i]);break}}}}return out}
function showPerson(id){var dlg=document.getElementById("person"),body=dlg.querySelector(".body");body.textContent="";
 var i=personIndex()[id];body.appendChild(el("h3",null,"宛名番号 "+id));
 if(i===undefined){body.appendChild(el("p",null,"この者の詳細は報告書に含まれていません。"))}else{var p=D.persons,dl=el("dl",{"class":"pd"});
  [["氏名",p.name[i]],["カナ",p.kana[i]],["生年月日",p.birth[i]],["住所",p.addr[i]],["旧住所",(p.hist[i]||"").split("|").join(" / ")],
   ["滞納額 (円)",fmt(p.arrears[i],"yen")],["完納確認日",p.cleared[i]]].forEach(function(x){if(x[1]==null||x[1]==="")return;dl.appendChild(el("dt",null,x[0]));dl.appendChild(el("dd",null,x[1]))});
  body.appendChild(dl);var iq=personInq(i);body.appendChild(el("h3",null,"照会と回答 ("+iq.length+" 件)"));
  body.appendChild(miniTable(["金融機関","サービス","送信日","回答日","回答"],iq))}
 var named=rowsNaming(id),byTable={};named.forEach(function(r){(byTable[r[0]]=byTable[r[0]]||[]).push(r[1])});
 for(var key in byTable){var s=D.tables[key],title=document.querySelector("#t-"+key+" h3");body.appendChild(el("h3",null,(title?title.textContent:key)+" ("+byTable[key].length+" 件)"));
  var keep=[];s.cols.forEach(function(c,j){if(c[2]!=="person"&&c[2]!=="persons"&&c[0]!=="name"&&c[0]!=="nearest_name"&&c[0]!=="name_kanji")keep.push(j)});
  body.appendChild(miniTable(keep.map(function(j){return s.cols[j][1]}),byTable[key].map(function(r){return keep.map(function(j){return fmt(s.data[j][r],s.cols[j][2])})})))}
 if(dlg.showModal){if(!dlg.open)dlg.showModal()}else dlg.setAttribute("open","")}
document.addEventListener("click",function(ev){var a=ev.target.closest?ev.target.closest("a.pl"):null;if(!a)return;ev.preventDefault();if(D)showPerson(a.getAttribute("data-p"))});
function unpack(col){if(Array.isArray(col))return col;if(col.p)return col.p.map(function(x){return x===null?null:D.persons.id[x]});var out=new Array((col.i||col.z).length);
 if(col.d){for(var i=0;i<out.length;i++){var x=col.i[i];out[i]=x===null?null:col.d[x]}}else{var a=0;for(var j=0;j<out.length;j++){a+=col.z[j];out[j]=a}}return out}
function fromHash(){var h=decodeURIComponent(location.hash||"");if(h.indexOf("#p-")===0&&D)showPerson(h.slice(3))}
window.addEventListener("hashchange",fromHash);
function b85(s){var A=document.getElementById("data").getAttribute("data-alphabet"),V=new Int16Array(128),i,j;for(i=0;i<A.length;i++)V[A.charCodeAt(i)]=i;
 var pad=(5-s.length%5)%5;for(i=0;i<pad;i++)s+=A.charAt(84);var n=s.length/5,u=new Uint8Array(n*4),o=0;
 for(i=0;i<s.length;i+=5){var v=0;for(j=0;j<5;j++)v=v*85+V[s.charCodeAt(i+j)];u[o++]=v>>>24;u[o++]=(v>>>16)&255;u[o++]=(v>>>8)&255;u[o++]=v&255}
 return u.subarray(0,u.length-pad)}
function start(){var src=document.getElementById("data").textContent.trim();
 if(!window.DecompressionStream){document.getElementById("nojs").textContent="このブラウザでは並べ替え・絞り込み・個人の詳細を使えません (表は先頭の行のみ表示)。";return}
 var stream=new Blob([b85(src)]).stream().pipeThrough(new DecompressionStream("gzip"));
 new Response(stream).text().then(function(txt){D=JSON.parse(txt);for(var k in D.tables){var s=D.tables[k];s.data=s.data.map(function(c){return c===null?null:unpack(c)});
   s.cols.forEach(function(c,j){if(c[2]==="pname"){var ids=s.data[j-1],pi=personIndex();s.data[j]=ids.map(function(id){var x=pi[id];return x===undefined?null:D.persons.name[x]})}})}
  Array.prototype.forEach.call(document.querySelectorAll("table[data-table]"),function(t){var s=D.tables[t.getAttribute("data-table")];if(s)new Grid(t,s)});
  document.getElementById("nojs").textContent="";document.body.setAttribute("data-ready","1");fromHash()})
 .catch(function(e){document.getElementById("nojs").textContent="埋め込みデータを読めません: "+e})}
document.getElementById("person").querySelector(".close").onclick=function(){var d=document.getElementById("person");if(d.close)d.close();else d.removeAttribute("open")};
start()})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src blob: data:">
<title>@@title@@</title>
<style>@@css@@</style></head>
<body>
<header>
<h1>預貯金等照会 該当状況報告</h1>
<p class="meta">@@municipality@@ ／ 対象期間: @@period@@ ／ 作成: @@generated@@ ／ 期限超過の基準: 送信後 @@overdue@@ 日 ／ 掲載人数: @@persons@@ 人 (うちこの画面で詳細を表示できる者 @@detailed@@ 人)</p>
<p class="purpose">利用目的: @@purpose@@。この報告書は個人情報を含みます。目的外の利用・複製・持出しをしないでください。</p>
<p class="nojs" id="nojs">表の並べ替え・絞り込み・個人の詳細には JavaScript が必要です。</p>
</header>
<nav>@@nav@@</nav>
@@kpis@@
@@sections@@
<dialog id="person" aria-label="個人の詳細"><button type="button" class="close">閉じる</button><div class="body"></div></dialog>
<script type="application/octet-stream" id="data" data-alphabet="@@alphabet@@">@@data@@</script>
<script>@@js@@</script>
</body></html>
"""


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

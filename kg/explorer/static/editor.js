// The SPARQL page: a highlighted editor, the named queries with their bind fields, and the
// results as a table whose entity and paper IRIs link to their pages.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var highlight = document.getElementById("highlight");
  var bindFields = document.getElementById("bind-fields");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var description = document.getElementById("query-description");
  var queries = JSON.parse(document.getElementById("paperkg-queries").textContent);
  var KEYWORDS = new Set(("select construct describe ask where from named prefix base distinct " +
    "reduced order by group having limit offset asc desc optional union minus filter bind as " +
    "values graph service silent not exists in a count sum min max avg sample group_concat " +
    "separator str lang langmatches datatype bound iri uri bnode rand abs ceil floor round " +
    "concat strlen ucase lcase encode_for_uri contains strstarts strends strbefore strafter " +
    "year month day hours minutes seconds timezone tz now uuid struuid md5 sha1 sha256 sha384 " +
    "sha512 coalesce if strlang strdt sameterm isiri isuri isblank isliteral isnumeric regex " +
    "substr replace true false").split(" "));
  // One alternative per kind of token, in the order they are tried.
  var TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z_0-9\u00C0-\uFFFF]+)|([A-Za-z][\w.-]*)?:([\w.:%-]*)|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)/g;

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function span(kind, text) {
    return '<span class="tok-' + kind + '">' + escape(text) + "</span>";
  }
  function colour(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      out += escape(text.slice(last, m.index));
      if (m[1] !== undefined) out += span("comment", m[0]);
      else if (m[2] !== undefined) out += span("string", m[0]);
      else if (m[3] !== undefined) out += span("iri", m[0]);
      else if (m[4] !== undefined) out += span("variable", m[0]);
      else if (m[6] !== undefined) out += span("prefixed", m[0]);
      else if (m[7] !== undefined) out += span("number", m[0]);
      else if (KEYWORDS.has(m[0].toLowerCase())) out += span("keyword", m[0]);
      else out += escape(m[0]);
      last = TOKEN.lastIndex;
      if (m[0] === "") TOKEN.lastIndex++;
    }
    // A final newline needs a character after it to take up its line.
    return out + escape(text.slice(last)) + "\n ";
  }
  function refresh() {
    highlight.innerHTML = colour(editor.value);
    highlight.scrollTop = editor.scrollTop;
  }
  editor.addEventListener("input", refresh);
  editor.addEventListener("scroll", function () { highlight.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Tab") {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      refresh();
    }
  });

  function showBindFields(names) {
    bindFields.textContent = "";
    names.forEach(function (name) {
      var label = document.createElement("label");
      label.textContent = "?" + name + " ";
      var input = document.createElement("input");
      input.name = "bind." + name;
      input.placeholder = "a name, or <IRI>; empty: unbound";
      input.dataset.variable = name;
      label.appendChild(input);
      bindFields.appendChild(label);
    });
  }
  function choose(name) {
    var query = queries.find(function (q) { return q.name === name; });
    editor.value = query.text;
    description.textContent = query.description;
    showBindFields(query.variables);
    document.querySelectorAll("button.named").forEach(function (b) {
      b.classList.toggle("active", b.dataset.name === name);
    });
    history.replaceState(null, "", "#" + encodeURIComponent(name));
    refresh();
  }
  document.querySelectorAll("button.named").forEach(function (button) {
    button.addEventListener("click", function () { choose(button.dataset.name); });
  });
  document.getElementById("insert-prefixes").addEventListener("click", function () {
    var lines = Array.from(document.querySelectorAll("ul.prefixes li")).map(function (li) {
      return "PREFIX " + li.querySelector("code").textContent + " <" +
        li.querySelector(".iri").textContent + ">";
    });
    editor.value = lines.join("\n") + "\n\n" + editor.value;
    refresh();
  });

  function parameters(format) {
    var params = new URLSearchParams();
    params.set("query", editor.value);
    bindFields.querySelectorAll("input").forEach(function (input) {
      if (input.value !== "") params.set(input.name, input.value);
    });
    if (format) params.set("format", format);
    return params;
  }
  function updateDownloads() {
    ["csv", "json"].forEach(function (format) {
      document.getElementById("download-" + format).href =
        form.getAttribute("action") + "?" + parameters(format).toString();
    });
  }
  form.addEventListener("input", updateDownloads);
  form.addEventListener("click", updateDownloads);

  // Entity and paper IRIs link to their pages; so do the names and identifiers that the named
  // queries return in columns named after what they hold.
  var NAME_COLUMNS = /^(entity|method|dataset|task|metric|other|(entity|method|dataset|task|metric)Label)$/;
  function pageOf(term, column) {
    if (term.type === "uri") {
      var match = /\/(entity|paper)\/([^\/#?]+)$/.exec(term.value);
      return match ? "/" + match[1] + "/" + match[2] : null;
    }
    if (term.type !== "literal") return null;
    if (column === "paper") return "/paper/" + encodeURIComponent(term.value);
    if (NAME_COLUMNS.test(column)) return "/entity/" + encodeURIComponent(term.value);
    return null;
  }
  function cell(term, column) {
    var td = document.createElement("td");
    if (!term) return td;
    var page = pageOf(term, column);
    if (page) {
      var a = document.createElement("a");
      a.href = page;
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
    }
    return td;
  }
  function table(data) {
    var t = document.createElement("table");
    var head = t.createTHead().insertRow();
    data.head.vars.forEach(function (name) {
      var th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    var body = t.createTBody();
    data.results.bindings.forEach(function (row) {
      var tr = body.insertRow();
      data.head.vars.forEach(function (name) { tr.appendChild(cell(row[name], name)); });
    });
    return t;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    updateDownloads();
    status.className = "";
    status.textContent = "running…";
    results.textContent = "";
    var started = performance.now();
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {Accept: "application/sparql-results+json, text/turtle;q=0.9"},
      body: parameters(null)
    }).then(function (reply) {
      return reply.text().then(function (text) {
        var seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (!reply.ok) {
          status.className = "error";
          status.textContent = reply.status + " " + reply.statusText + ": " + text;
          return;
        }
        if ((reply.headers.get("Content-Type") || "").indexOf("json") < 0) {
          var pre = document.createElement("pre");
          pre.textContent = text;
          results.appendChild(pre);
          status.textContent = "a graph, in " + seconds + " s";
          return;
        }
        var data = JSON.parse(text);
        if (data.boolean !== undefined) {
          status.textContent = "answer: " + data.boolean + ", in " + seconds + " s";
          return;
        }
        var n = data.results.bindings.length;
        status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + seconds + " s";
        results.appendChild(table(data));
      });
    }).catch(function (error) {
      status.className = "error";
      status.textContent = String(error);
    });
  });

  var wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted && queries.some(function (q) { return q.name === wanted; })) choose(wanted);
  refresh();
  updateDownloads();
  window.paperkgEditorReady = true;
})();

/* The OCOP sales-point counter (/counter/<code>): plain JavaScript, no framework.
 *
 * - Holds the point's sellable catalogue (products, prices, the days the certificate gate
 *   lets each be sold — computed by the server) in IndexedDB, refreshed when online.
 * - The point's gift boxes are in the catalogue too: a box line sells at the box's price
 *   and takes its items' units off the shelf (the server checks the gate on every item).
 * - A USB scanner types a stamp URL and Enter: the stamp's product is added; a void or
 *   suspicious stamp warns instead of selling silently.
 * - Every sale carries an Idempotency-Key (a UUID made here). Offline, sales are checked
 *   against the catalogue and queued in IndexedDB with their keys and local times; the
 *   queue replays in order when the network is back, and the server judges each replay on
 *   the sale's date. The same key never sells twice.
 */
(function () {
  "use strict";

  var root = document.getElementById("counter");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("counter-text").textContent);
  var code = root.dataset.code;
  var csrf = root.dataset.csrf;
  var urls = { catalogue: root.dataset.catalogueUrl, sale: root.dataset.saleUrl, stamp: root.dataset.stampUrl };
  var $ = function (id) { return document.getElementById(id); };

  // `bySlug` holds every sellable entry by its key: a product's slug, or "box:<slug>".
  var state = { catalogue: null, bySlug: {}, entries: [], lines: [], pendingStamp: null, flushing: false };

  // --- Small helpers ---------------------------------------------------------------------

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }
  function vnd(n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " ₫"; }
  // The same folding as catalog.text.fold: NFD, drop combining marks, đ → d, lower case.
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function localDate() {
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  }
  function localTime(iso) {
    return new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", dateStyle: "short", timeStyle: "short" }).format(iso ? new Date(iso) : new Date());
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function show(el, on) { el.hidden = !on; }
  function message(el, text, kind) {
    el.textContent = text || "";
    el.className = el.id === "scan-message" ? "scan-message " + (kind || "") : el.className;
    show(el, !!text);
  }

  // --- IndexedDB: the catalogue and the queue --------------------------------------------

  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open("ocop-counter-" + code, 1);
    req.onupgradeneeded = function () {
      req.result.createObjectStore("queue", { keyPath: "key" });
      req.result.createObjectStore("kv", { keyPath: "name" });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
  function store(name, mode, action) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = action(tx.objectStore(name));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  var queue = {
    all: function () {
      return store("queue", "readonly", function (s) { return s.getAll(); })
        .then(function (rows) { return rows.sort(function (a, b) { return a.seq - b.seq; }); });
    },
    add: function (entry) { return store("queue", "readwrite", function (s) { return s.put(entry); }); },
    remove: function (key) { return store("queue", "readwrite", function (s) { return s.delete(key); }); }
  };

  // --- The catalogue ---------------------------------------------------------------------

  // A line as the API takes it ({product} or {gift_box}) → the key of its entry.
  function keyOf(line) { return line.gift_box ? "box:" + line.gift_box : line.product; }
  // What a sale (API lines) takes off the shelf: the products, and each box's items.
  function shelfMoves(items, cat) {
    var moves = [];
    items.forEach(function (line) {
      moves.push({ key: keyOf(line), quantity: line.quantity });
      if (line.gift_box) {
        var box = (cat.gift_boxes || []).find(function (b) { return b.gift_box === line.gift_box; });
        (box ? box.items : []).forEach(function (i) { moves.push({ key: i.product, quantity: i.quantity * line.quantity }); });
      }
    });
    return moves;
  }
  function useCatalogue(cat) {
    state.catalogue = cat;
    state.bySlug = {};
    cat.items.forEach(function (item) { item.key = item.product; state.bySlug[item.key] = item; });
    (cat.gift_boxes || []).forEach(function (box) {
      if (!box.key) {  // a catalogue read back from IndexedDB was prepared already
        box.key = "box:" + box.gift_box;
        box.on_hand = box.available;
        box.folded = fold(T.gift_box) + " " + box.folded;  // "hop qua" finds every box
      }
      state.bySlug[box.key] = box;
    });
    state.entries = cat.items.concat(cat.gift_boxes || []);
    var note = $("catalogue-note");
    if (cat.days.indexOf(localDate()) === -1) { note.textContent = T.catalogue_old; }
    else { note.textContent = fmt(T.catalogue_at, { time: localTime(cat.fetched_at) }); }
    renderResults();
  }
  function loadCatalogue() {
    var cached = store("kv", "readonly", function (s) { return s.get("catalogue"); })
      .then(function (row) { if (row && !state.catalogue) { useCatalogue(row.value); } });
    if (!navigator.onLine) { return cached; }
    return fetch(urls.catalogue, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (cat) {
        cat.fetched_at = new Date().toISOString();
        return queue.all().then(function (waiting) {
          // Units sold offline and not yet sent are not on the shelf any more.
          waiting.forEach(function (entry) {
            shelfMoves(entry.body.items, cat).forEach(function (move) {
              var item = cat.items.find(function (i) { return i.product === move.key; }) ||
                (cat.gift_boxes || []).find(function (b) { return "box:" + b.gift_box === move.key; });
              if (item) { if (item.gift_box) { item.available -= move.quantity; } else { item.on_hand -= move.quantity; } }
            });
          });
          useCatalogue(cat);
          return store("kv", "readwrite", function (s) { return s.put({ name: "catalogue", value: cat }); });
        });
      })
      .catch(function () { return cached; });
  }
  function sellableToday(item) {
    return item.sellable_days.indexOf(localDate()) !== -1;
  }
  function itemReason(item) {
    if (sellableToday(item)) { return null; }
    var reason = T.reasons[item.reason] || T.reasons.certificate_expired;
    return item.item ? item.item + ": " + reason : reason;  // a gift box names its item
  }

  // --- Search and scanning ---------------------------------------------------------------

  function matches(query) {
    if (!state.catalogue) { return []; }
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) { return []; }
    return state.entries.filter(function (item) {
      return words.every(function (w) { return item.folded.indexOf(w) !== -1; });
    }).slice(0, 12);
  }
  function renderResults() {
    var list = $("results");
    list.innerHTML = "";
    var query = $("scan").value;
    if (looksLikeStamp(query)) { return; }
    var found = matches(query);
    if (query.trim() && !found.length) {
      var li = document.createElement("li"); li.className = "muted"; li.textContent = T.no_results; list.appendChild(li);
      return;
    }
    found.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "result";
      button.dataset.product = item.key;
      var reason = itemReason(item);
      var name = document.createElement("span"); name.className = "r-name"; name.textContent = item.name;
      var meta = document.createElement("span"); meta.className = "r-meta";
      meta.textContent = (item.gift_box ? T.gift_box + " · " : "") + vnd(item.price_vnd) + " · " +
        fmt(T.left, { n: item.on_hand }) + (reason ? " · " + reason : "");
      button.appendChild(name); button.appendChild(meta);
      if (reason || item.on_hand <= 0) { button.classList.add("refused"); }
      button.addEventListener("click", function () { addProduct(item.key); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }
  function looksLikeStamp(text) {
    text = (text || "").trim();
    return /\/(t|21)\/[^/\s]+$/.test(text) || /^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}-?[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}-?[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{5}$/.test(text);
  }
  function scan(text) {
    var box = $("scan-message");
    show($("scan-confirm"), false);
    state.pendingStamp = null;
    if (!navigator.onLine) { message(box, T.stamp_offline, "warn"); return; }
    fetch(urls.stamp + "?scan=" + encodeURIComponent(text), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (answer) {
        if (answer.status === 404) { message(box, T.stamp_unknown, "bad"); return; }
        if (answer.status !== 200) { message(box, (answer.body.error || {}).message || String(answer.status), "bad"); return; }
        var stamp = answer.body;
        if (stamp.verdict === "void") { message(box, fmt(T.stamp_void, { reason: stamp.void_reason || "" }), "bad"); return; }
        if (stamp.verdict === "suspicious") {
          message(box, T.stamp_suspicious, "warn");
          state.pendingStamp = stamp.product;
          show($("scan-confirm"), true);
          return;
        }
        if (addProduct(stamp.product)) { message(box, fmt(T.stamp_added, { name: stamp.name }), "ok"); }
      })
      .catch(function () { message(box, T.stamp_offline, "warn"); });
  }

  // --- The ticket ------------------------------------------------------------------------

  function onShelf(slug) {
    var item = state.bySlug[slug];
    return item ? item.on_hand : 0;
  }
  function addProduct(slug) {
    var item = state.bySlug[slug];
    var box = $("scan-message");
    if (!item) { message(box, T.unknown_product, "bad"); return false; }
    var reason = itemReason(item);
    if (reason) { message(box, fmt(T.not_sellable, { name: item.name, reason: reason }), "bad"); return false; }
    var line = state.lines.find(function (l) { return l.key === slug; });
    var wanted = (line ? line.quantity : 0) + 1;
    if (wanted > onShelf(slug)) { message(box, fmt(T.not_on_shelf, { name: item.name, n: Math.max(onShelf(slug), 0) }), "bad"); return false; }
    if (line) { line.quantity = wanted; } else { state.lines.push({ key: slug, quantity: 1 }); }
    message(box, "");
    renderTicket();
    return true;
  }
  function total() {
    return state.lines.reduce(function (sum, l) { return sum + state.bySlug[l.key].price_vnd * l.quantity; }, 0);
  }
  function renderTicket() {
    var body = $("lines").querySelector("tbody");
    body.innerHTML = "";
    state.lines.forEach(function (line, index) {
      var item = state.bySlug[line.key];
      var tr = document.createElement("tr");
      var name = document.createElement("td"); name.textContent = item.name;
      var qty = document.createElement("td"); qty.className = "qty";
      var minus = document.createElement("button"); minus.type = "button"; minus.className = "step"; minus.textContent = "−";
      minus.setAttribute("aria-label", "−1 " + item.name);
      var count = document.createElement("span"); count.className = "count-n"; count.textContent = line.quantity;
      var plus = document.createElement("button"); plus.type = "button"; plus.className = "step"; plus.textContent = "+";
      plus.setAttribute("aria-label", "+1 " + item.name);
      minus.addEventListener("click", function () { line.quantity -= 1; if (line.quantity <= 0) { state.lines.splice(index, 1); } renderTicket(); });
      plus.addEventListener("click", function () { addProduct(line.key); });
      qty.appendChild(minus); qty.appendChild(count); qty.appendChild(plus);
      var amount = document.createElement("td"); amount.className = "num"; amount.textContent = vnd(item.price_vnd * line.quantity);
      var remove = document.createElement("td");
      var x = document.createElement("button"); x.type = "button"; x.className = "link"; x.textContent = "×";
      x.setAttribute("aria-label", item.name);
      x.addEventListener("click", function () { state.lines.splice(index, 1); renderTicket(); });
      remove.appendChild(x);
      tr.appendChild(name); tr.appendChild(qty); tr.appendChild(amount); tr.appendChild(remove);
      body.appendChild(tr);
    });
    show($("empty-ticket"), !state.lines.length);
    $("total").textContent = vnd(total());
    renderQuickCash();
    renderChange();
  }
  function method() { return document.querySelector("input[name=payment]:checked").value; }
  function cashReceived() {
    var digits = $("cash-received").value.replace(/[^\d]/g, "");
    return digits ? parseInt(digits, 10) : null;
  }
  function renderChange() {
    var received = cashReceived();
    $("change").textContent = vnd(received !== null && received >= total() ? received - total() : 0);
  }
  function renderQuickCash() {
    var box = $("quick-cash");
    box.innerHTML = "";
    var t = total();
    if (!t) { return; }
    var options = [t];
    [50000, 100000, 200000, 500000].forEach(function (step) {
      var up = Math.ceil(t / step) * step;
      if (options.indexOf(up) === -1 && up > t) { options.push(up); }
    });
    options.slice(0, 4).forEach(function (amount, i) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "button button-secondary quick-cash";
      b.textContent = i === 0 ? T.exact : vnd(amount);
      b.addEventListener("click", function () { $("cash-received").value = String(amount); renderChange(); });
      box.appendChild(b);
    });
  }
  function renderMethod() {
    var m = method();
    show($("cash-box"), m === "cash");
    show($("card-box"), m === "card_terminal");
    show($("qr-box"), m === "vietqr");
  }

  // --- Selling ---------------------------------------------------------------------------

  function saleBody() {
    var body = { items: state.lines.map(function (l) {
      var item = state.bySlug[l.key];
      return item.gift_box ? { gift_box: item.gift_box, quantity: l.quantity } : { product: item.product, quantity: l.quantity };
    }), payment: method() };
    if (body.payment === "cash" && cashReceived() !== null) { body.cash_received_vnd = cashReceived(); }
    if (body.payment === "card_terminal" && $("card-ref").value.trim()) { body.payment_reference = $("card-ref").value.trim(); }
    return body;
  }
  function post(key, body) {
    return fetch(urls.sale, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf, "Idempotency-Key": key },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) { return { status: r.status, body: json, redirected: r.redirected }; });
    });
  }
  // A sale the server recorded: a ticket (201, 200 for the same key again) or, for a
  // replay, a needs-attention row (202). A login page after a redirect is none of these.
  function recorded(answer) {
    if (answer.redirected) { return false; }
    if (answer.status === 202) { return !!(answer.body && answer.body.status === "needs_attention"); }
    return (answer.status === 200 || answer.status === 201) && !!(answer.body && answer.body.receipt_number);
  }
  // The application refused this sale for good (bad input, unknown product); a replay is
  // never refused with 409 (it goes to needs-attention instead).
  function refused(answer) {
    return !answer.redirected && !!(answer.body && answer.body.error) &&
      (answer.status === 404 || answer.status === 422 || answer.status === 409);
  }
  // Signed out (a login page, or the CSRF check of a session that is gone).
  function signedOut(answer) {
    return answer.redirected || answer.status === 400 || answer.status === 401 || answer.status === 403;
  }
  function refusalText(error) {
    var details = error.details || {};
    if (error.code === "not_listable" && details.products) {
      return details.products.map(function (p) { return fmt(T.not_sellable, { name: p.name || p.product, reason: T.reasons[p.reason] || p.reason }); }).join(" ");
    }
    if (error.code === "out_of_stock" && details.items) {
      return details.items.map(function (i) {
        var item = state.bySlug[i.product];
        return fmt(T.not_on_shelf, { name: item ? item.name : i.product, n: i.available });
      }).join(" ");
    }
    return error.message || "";
  }
  function takeFromShelf(items) {
    shelfMoves(items, state.catalogue || {}).forEach(function (move) {
      var item = state.bySlug[move.key]; if (item) { item.on_hand -= move.quantity; }
    });
  }
  function pay() {
    var error = $("sale-error");
    show(error, false);
    if (!state.lines.length) { message(error, T.empty_ticket); return; }
    if (method() === "cash" && cashReceived() !== null && cashReceived() < total()) { message(error, T.cash_short); return; }
    var body = saleBody();
    var key = newKey();
    $("pay").disabled = true;
    if (!navigator.onLine) { sellOffline(key, body); $("pay").disabled = false; return; }
    post(key, body).then(function (answer) {
      $("pay").disabled = false;
      if (recorded(answer)) {
        takeFromShelf(body.items);
        showReceipt(answer.body, false);
        loadCatalogue();
      } else if (refused(answer) && answer.body.error.code !== "idempotency_conflict") {
        message(error, refusalText(answer.body.error));
      } else {
        // Signed out, or not an answer of the application: keep the sale, it is sent later.
        sellOffline(key, body);
        if (signedOut(answer)) { message(error, T.signed_out); }
      }
    }).catch(function () {
      $("pay").disabled = false;
      sellOffline(key, body);
    });
  }
  function sellOffline(key, body) {
    var error = $("sale-error");
    if (body.payment === "vietqr") { message(error, T.vietqr_offline); return; }
    var problems = [];
    body.items.forEach(function (line) {
      var item = state.bySlug[keyOf(line)];
      var reason = itemReason(item);
      if (reason) { problems.push(fmt(T.not_sellable, { name: item.name, reason: reason })); }
      else if (line.quantity > item.on_hand) { problems.push(fmt(T.not_on_shelf, { name: item.name, n: Math.max(item.on_hand, 0) })); }
    });
    if (problems.length) { message(error, problems.join(" ")); return; }
    body.sold_at = new Date().toISOString();
    var entry = { key: key, seq: Date.now() * 1000 + Math.floor(Math.random() * 1000), body: body };
    queue.add(entry).then(function () {
      takeFromShelf(body.items);
      var lines = body.items.map(function (line) {
        var item = state.bySlug[keyOf(line)];
        return { name: item.name, quantity: line.quantity, amount_vnd: item.price_vnd * line.quantity };
      });
      var t = lines.reduce(function (s, l) { return s + l.amount_vnd; }, 0);
      var received = body.payment === "cash" ? (body.cash_received_vnd === undefined ? t : body.cash_received_vnd) : null;
      showReceipt({ receipt_number: null, sold_at: body.sold_at, lines: lines, total_vnd: t, payment: body.payment,
                    cash_received_vnd: received, change_vnd: received === null ? null : received - t }, true);
      updateStatus();
    });
  }

  // --- The receipt -----------------------------------------------------------------------

  function showReceipt(ticket, offline) {
    $("r-number").textContent = fmt(T.receipt, { n: ticket.receipt_number || T.pending });
    $("r-time").textContent = localTime(ticket.sold_at);
    var body = $("r-lines");
    body.innerHTML = "";
    ticket.lines.concat((ticket.gift_boxes || []).map(function (b) {
      return { name: b.name, quantity: b.quantity, amount_vnd: b.amount_vnd };
    })).forEach(function (line) {
      var tr = document.createElement("tr");
      var name = document.createElement("td"); name.textContent = line.name + " × " + line.quantity;
      var amount = document.createElement("td"); amount.className = "num"; amount.textContent = vnd(line.amount_vnd);
      tr.appendChild(name); tr.appendChild(amount); body.appendChild(tr);
    });
    $("r-total").textContent = vnd(ticket.total_vnd);
    $("r-method").textContent = T.methods[ticket.payment] || ticket.payment;
    var cash = ticket.payment === "cash" && ticket.cash_received_vnd !== null;
    show($("r-cash-row"), cash); show($("r-change-row"), cash);
    if (cash) { $("r-cash").textContent = vnd(ticket.cash_received_vnd); $("r-change").textContent = vnd(ticket.change_vnd); }
    $("r-qr").innerHTML = ticket.vietqr ? ticket.vietqr.svg : "";
    $("r-qr-text").textContent = ticket.vietqr ? fmt(T.qr_text, { amount: vnd(ticket.total_vnd), ref: ticket.vietqr.reference }) + " · " + ticket.vietqr.account + " (" + ticket.vietqr.account_name + ")" : "";
    show($("r-offline"), offline);
    show($("receipt"), true);
    $("receipt").scrollIntoView({ block: "start" });
  }
  function nextCustomer() {
    state.lines = [];
    document.querySelector("input[name=payment][value=cash]").checked = true;
    renderMethod();
    $("cash-received").value = "";
    $("card-ref").value = "";
    $("scan").value = "";
    message($("scan-message"), "");
    show($("sale-error"), false);
    show($("receipt"), false);
    renderTicket(); renderResults();
    $("scan").focus();
  }

  // --- The queue: status and replay -------------------------------------------------------

  function updateStatus() {
    return queue.all().then(function (waiting) {
      var online = navigator.onLine;
      var status = $("net-status");
      status.className = "net-status no-print " + (online ? "online" : "offline");
      $("net-label").textContent = online ? T.online : T.offline;
      $("queue-label").textContent = waiting.length ? fmt(T.waiting, { n: waiting.length }) : T.waiting_none;
      $("pay-vietqr").disabled = !online;
      return waiting;
    });
  }
  function flush() {
    if (state.flushing || !navigator.onLine) { return Promise.resolve(); }
    state.flushing = true;
    var sent = 0, attention = 0;
    function next(waiting) {
      if (!waiting.length || !navigator.onLine) { return Promise.resolve(); }
      var entry = waiting[0];
      return post(entry.key, entry.body).then(function (answer) {
        if (recorded(answer)) {
          if (answer.status === 202) { attention += 1; } else { sent += 1; }
          return queue.remove(entry.key).then(updateStatus).then(function () { return next(waiting.slice(1)); });
        }
        if (refused(answer) && answer.status !== 409) {
          // The server will never take it as it is: keep it for the staff, out of the queue.
          var rejected = { name: "rejected-" + entry.key, value: { entry: entry, error: answer.body.error } };
          message($("sale-error"), fmt(T.rejected, { msg: answer.body.error.message }));
          return store("kv", "readwrite", function (s) { return s.put(rejected); })
            .then(function () { return queue.remove(entry.key); }).then(updateStatus)
            .then(function () { return next(waiting.slice(1)); });
        }
        if (signedOut(answer)) { message($("sale-error"), T.signed_out); }
        return Promise.resolve();  // not now (signed out, server busy): try again later
      }, function () { return Promise.resolve(); });
    }
    return queue.all().then(next).then(function () {
      state.flushing = false;
      var box = $("scan-message");
      var parts = [];
      if (sent) { parts.push(fmt(T.synced, { n: sent })); }
      if (attention) { parts.push(fmt(T.attention, { n: attention })); }
      if (parts.length) { message(box, parts.join(" "), attention ? "warn" : "ok"); loadCatalogue(); }
      return updateStatus();
    }, function () { state.flushing = false; });
  }

  // --- Wiring ----------------------------------------------------------------------------

  $("scan").addEventListener("input", renderResults);
  $("scan").addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    var text = $("scan").value.trim();
    if (!text) { return; }
    if (looksLikeStamp(text)) { scan(text); }
    else {
      var found = matches(text);
      if (found.length === 1) { addProduct(found[0].key); }
      else { renderResults(); return; }
    }
    $("scan").value = "";
    renderResults();
  });
  $("scan-add-anyway").addEventListener("click", function () {
    if (state.pendingStamp) { addProduct(state.pendingStamp); }
    state.pendingStamp = null;
    show($("scan-confirm"), false);
    $("scan").focus();
  });
  $("cash-received").addEventListener("input", renderChange);
  Array.prototype.forEach.call(document.querySelectorAll("input[name=payment]"), function (r) { r.addEventListener("change", renderMethod); });
  $("pay").addEventListener("click", pay);
  $("clear").addEventListener("click", nextCustomer);
  $("print").addEventListener("click", function () { window.print(); });
  $("next").addEventListener("click", nextCustomer);
  window.addEventListener("online", function () { updateStatus(); flush(); });
  window.addEventListener("offline", updateStatus);
  setInterval(flush, 15000);

  renderMethod();
  renderTicket();
  loadCatalogue().then(updateStatus).then(flush);
})();

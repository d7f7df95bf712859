// The hotconnpool dashboard: polls the actuator endpoint and renders hosts -> IPs -> connections, the blacklist
// and the pool's counters. Plain DOM, no dependencies. Every element a check may look for carries a data attribute:
// data-counter, data-host, data-ip (+ data-ip-state), data-connection-id (+ data-state), data-blacklist, and
// data-chart (+ data-points, data-last) on the two plots of the last minutes.
'use strict';

(function () {
	const ENDPOINT = 'actuator/hotconnpool';
	const LATENCY = 'actuator/metrics/hotconnpool.request';
	/** How far back the plots reach. */
	const WINDOW_MILLIS = 5 * 60 * 1000;
	const POLL_MILLIS = 1500;
	const TIMEOUT_MILLIS = 5000;

	const COUNTERS = [
		['totalConnections', 'connections'],
		['idleConnections', 'idle'],
		['activeConnections', 'leased'],
		['streamsInFlight', 'streams in flight'],
		['warmingConnections', 'warming'],
		['healthyConnections', 'healthy'],
		['waitingAcquires', 'waiting acquires'],
		['blacklistedIps', 'blacklisted IPs'],
		['totalRequests', 'requests'],
		['failedRequests', 'failed requests'],
		['successRate', 'success rate', percent],
		['hotHits', 'hot hits'],
		['hotRatio', 'hot ratio', percent],
		['handshakes', 'TLS handshakes'],
		['connectionsCreated', 'connections created'],
		['newConnectionsFromDns', 'new from DNS'],
		['acquireTimeouts', 'acquire timeouts'],
		['retries', 'retried on another IP'],
		['leaksDetected', 'leaks detected']
	];

	const $ = (id) => document.getElementById(id);
	let lastSuccess = null;

	/** Creates an element with attributes (data-* and others) and children (nodes or text). */
	function el(tag, attributes, ...children) {
		const element = document.createElement(tag);
		for (const [name, value] of Object.entries(attributes || {})) {
			if (value !== undefined && value !== null) {
				element.setAttribute(name, String(value));
			}
		}
		for (const child of children) {
			if (child !== undefined && child !== null) {
				element.append(child instanceof Node ? child : String(child));
			}
		}
		return element;
	}

	function percent(value) {
		return (value === null || value === undefined) ? '–' : (value * 100).toFixed(1) + ' %';
	}

	/** "12:04:05 (in 14 min)" for an ISO instant, inside a <time> element. */
	function when(iso) {
		if (!iso) {
			return '–';
		}
		const date = new Date(iso);
		const seconds = Math.round((date.getTime() - Date.now()) / 1000);
		const magnitude = Math.abs(seconds);
		const span = magnitude < 90 ? magnitude + ' s' : magnitude < 5400 ? Math.round(magnitude / 60) + ' min'
			: Math.round(magnitude / 3600) + ' h';
		const relative = seconds >= 0 ? 'in ' + span : span + ' ago';
		return el('time', { datetime: iso, title: iso }, date.toLocaleTimeString() + ' (' + relative + ')');
	}

	function renderCounters(report) {
		const values = Object.assign({}, report, {
			hotRatio: report.totalRequests > 0 ? report.hotHits / report.totalRequests : null
		});
		$('counters').replaceChildren(...COUNTERS.map(([key, label, format]) => el('div',
			{ 'data-counter': key, 'data-value': values[key] },
			el('dt', null, label), el('dd', null, format ? format(values[key]) : values[key]))));
		$('retired').replaceChildren(...Object.entries(report.retiredConnections || {}).map(([reason, count]) =>
			el('div', { 'data-retired': reason, 'data-value': count }, el('dt', null, reason), el('dd', null, count))));
	}

	/**
	 * Per poll: the pool's request counters and the hotconnpool.request timer. A point is the interval since the
	 * previous poll (since start for the first): its mean latency and its hot ratio. No requests, no point.
	 */
	const samples = [];
	let previous = { requests: 0, hotHits: 0, count: 0, seconds: 0 };

	function measurement(metric, statistic) {
		const found = (metric.measurements || []).find((m) => m.statistic === statistic);
		return found ? found.value : 0;
	}

	function record(report, latency) {
		const now = { requests: report.totalRequests, hotHits: report.hotHits,
			count: measurement(latency, 'COUNT'), seconds: measurement(latency, 'TOTAL_TIME') };
		const requests = now.requests - previous.requests;
		const timed = now.count - previous.count;
		if (requests > 0 || timed > 0) {
			samples.push({ time: Date.now(),
				hotRatio: requests > 0 ? (now.hotHits - previous.hotHits) / requests : null,
				millis: timed > 0 ? (now.seconds - previous.seconds) * 1000 / timed : null });
		}
		previous = now;
		const oldest = Date.now() - WINDOW_MILLIS;
		while (samples.length > 0 && samples[0].time < oldest) {
			samples.shift();
		}
	}

	const SVG = 'http://www.w3.org/2000/svg';

	function svg(tag, attributes, text) {
		const element = document.createElementNS(SVG, tag);
		for (const [name, value] of Object.entries(attributes)) {
			element.setAttribute(name, String(value));
		}
		if (text !== undefined) {
			element.textContent = text;
		}
		return element;
	}

	/** A line over the last minutes, in an inline SVG: no library, no build step. */
	function chart(key, title, format, fixedMax) {
		const points = samples.filter((s) => s[key] !== null);
		const width = 560, height = 160, left = 58, right = 10, top = 12, bottom = 22;
		const max = fixedMax || Math.max(...points.map((p) => p[key]), 1e-9) * 1.15;
		const end = Date.now(), start = end - WINDOW_MILLIS;
		const x = (time) => left + (width - left - right) * (time - start) / WINDOW_MILLIS;
		const y = (value) => top + (height - top - bottom) * (1 - value / max);
		const last = points.length > 0 ? points[points.length - 1][key] : null;
		const plot = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', class: 'chart',
			'data-chart': key, 'data-points': points.length, 'data-last': last === null ? '' : last,
			'aria-label': title + ', last ' + (WINDOW_MILLIS / 60000) + ' minutes' });
		plot.append(svg('line', { x1: left, y1: y(0), x2: width - right, y2: y(0), class: 'axis' }),
			svg('line', { x1: left, y1: y(max), x2: width - right, y2: y(max), class: 'grid' }),
			svg('text', { x: left - 6, y: y(0) + 4, 'text-anchor': 'end' }, format(0)),
			svg('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end' }, format(max)),
			svg('text', { x: left, y: height - 4 }, '−' + (WINDOW_MILLIS / 60000) + ' min'),
			svg('text', { x: width - right, y: height - 4, 'text-anchor': 'end' }, 'now'));
		if (points.length > 0) {
			const coordinates = points.map((p) => x(p.time).toFixed(1) + ',' + y(p[key]).toFixed(1)).join(' ');
			plot.append(svg('polyline', { points: coordinates, class: 'series' }));
			points.forEach((p) => plot.append(svg('circle', { cx: x(p.time).toFixed(1), cy: y(p[key]).toFixed(1), r: 2.5,
				class: 'series-point' })));
		}
		return el('figure', { class: 'plot' }, plot,
			el('figcaption', null, title + ': ' + (last === null ? 'no requests yet' : 'last ' + format(last))));
	}

	function renderCharts() {
		$('charts').replaceChildren(
			chart('millis', 'Mean request latency (to response headers)', (v) => v.toFixed(v < 10 ? 2 : 0) + ' ms'),
			chart('hotRatio', 'Hot ratio (requests on an already-warm connection)', percent, 1));
	}

	function renderConnections(connections) {
		if (connections.length === 0) {
			return el('p', { class: 'none' }, 'No connections.');
		}
		const head = el('tr', null, ...['id', 'slot', 'state', 'healthy', 'protocol', 'streams', 'requests',
			'errors', 'last used', 'expires'].map((name) => el('th', { scope: 'col' }, name)));
		const rows = connections.map((c) => el('tr',
			{ 'data-connection-id': c.id, 'data-ip': c.ip, 'data-state': c.state, 'data-healthy': c.healthy },
			el('td', null, c.id),
			el('td', null, c.slot),
			el('td', null, el('span', { class: 'state state-' + c.state }, c.state)),
			el('td', null, c.healthy ? 'yes' : 'no'),
			el('td', null, c.protocol || '–'),
			el('td', { class: 'number', 'data-streams': c.streams }, c.streams + ' / ' + c.maxStreams),
			el('td', { class: 'number' }, c.requests),
			el('td', { class: 'number' }, c.errors),
			el('td', null, when(c.lastUsedAt)),
			el('td', null, when(c.expiresAt))));
		return el('table', null, el('thead', null, head), el('tbody', null, ...rows));
	}

	function renderIp(ip, connections) {
		const section = el('section', { class: 'ip', 'data-ip': ip.ip, 'data-ip-state': ip.state },
			el('h4', null, ip.ip + ' ', el('span', { class: 'state state-' + ip.state }, ip.state),
				' · ' + connections.length + (connections.length === 1 ? ' connection' : ' connections')));
		if (ip.blacklisted) {
			// An entry another fleet instance reported names it (hotconnpool.fleet): it came through Redis.
			const source = ip.blacklisted.source
				? el('span', { class: 'source', 'data-source': ip.blacklisted.source },
					' Reported by fleet instance ' + ip.blacklisted.source + '.')
				: el('span', { class: 'source', 'data-source': 'local' }, ' Seen by this instance.');
			section.append(el('p', { class: 'blacklist', 'data-blacklist': ip.ip },
				'Blacklisted: ' + ip.blacklisted.reason + '. Since ', when(ip.blacklisted.since),
				', re-probed from ', when(ip.blacklisted.until), '.', source));
		}
		section.append(renderConnections(connections));
		return section;
	}

	function renderHost(host) {
		// Every connection appears under its IP; an IP missing from the list still gets a group (none is dropped).
		const ips = host.ips.slice();
		for (const c of host.connections) {
			if (!ips.some((ip) => ip.ip === c.ip)) {
				ips.push({ ip: c.ip, state: 'unlisted', connections: 0 });
			}
		}
		const summary = host.totalConnections + ' connections: ' + host.idleConnections + ' idle, '
			+ host.leasedConnections + ' leased, ' + host.warmingConnections + ' warming; '
			+ host.streamsInFlight + (host.streamsInFlight === 1 ? ' stream' : ' streams') + ' in flight; '
			+ host.healthyConnections + ' healthy; ' + host.waitingAcquires + ' waiting; warm target '
			+ host.warmTarget + ', at most ' + host.maxConnections;
		return el('section', { class: 'host', 'data-host': host.host },
			el('h3', null, host.host),
			el('p', { class: 'summary' }, summary),
			...ips.map((ip) => renderIp(ip, host.connections.filter((c) => c.ip === ip.ip))));
	}

	function render(report) {
		renderCounters(report);
		$('pool-status').replaceChildren(
			el('span', { class: 'state state-' + (report.running ? 'running' : 'stopped'), 'data-running': report.running },
				report.running ? 'running' : 'stopped'),
			' · TLS provider ' + report.tlsProvider + ' · ' + report.hosts.length
			+ (report.hosts.length === 1 ? ' host' : ' hosts') + ' · updated ' + new Date().toLocaleTimeString());
		$('hosts').replaceChildren(...(report.hosts.length > 0 ? report.hosts.map(renderHost)
			: [el('p', { class: 'none' }, 'The pool serves no host yet.')]));
	}

	function showError(message) {
		const banner = $('error');
		banner.textContent = 'Cannot reach /' + ENDPOINT + ': ' + message + '. Retrying every '
			+ POLL_MILLIS / 1000 + ' s' + (lastSuccess ? '; the data below is from ' + lastSuccess.toLocaleTimeString()
				: '') + '.';
		banner.hidden = false;
		document.body.dataset.status = 'error';
	}

	async function getJson(url) {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), TIMEOUT_MILLIS);
		try {
			const response = await fetch(url, { cache: 'no-store', signal: controller.signal,
				headers: { Accept: 'application/json' } });
			if (!response.ok) {
				throw new Error('HTTP ' + response.status + (response.status === 404
					? ' (is hotconnpool in management.endpoints.web.exposure.include?)' : ''));
			}
			return await response.json();
		}
		catch (error) {
			throw error.name === 'AbortError' ? new Error('no answer within ' + TIMEOUT_MILLIS / 1000 + ' s') : error;
		}
		finally {
			clearTimeout(timer);
		}
	}

	let pending = null;

	/** One poll; polls never overlap, and the next is scheduled when this one ends. */
	async function poll() {
		clearTimeout(pending);
		try {
			const report = await getJson(ENDPOINT);
			render(report);
			// The plots need the timer too; without it (metrics not exposed) they show the hot ratio alone.
			record(report, await getJson(LATENCY).catch(() => ({})));
			renderCharts();
			lastSuccess = new Date();
			$('error').hidden = true;
			document.body.dataset.status = 'ok';
			document.body.dataset.polls = String(Number(document.body.dataset.polls) + 1);
		}
		catch (error) {
			showError(error.message || String(error));
		}
		finally {
			clearTimeout(pending); // a poll started by a button may have ended first: keep one schedule
			pending = setTimeout(poll, POLL_MILLIS);
		}
	}

	async function sendRequests() {
		const button = $('send-requests');
		button.disabled = true;
		$('demo-result').textContent = 'Sending…';
		try {
			// One after another: each finds a warm connection, so no request pays a handshake.
			const results = [];
			for (let i = 0; i < 6; i++) {
				results.push(await getJson('demo/lease'));
			}
			const byIp = {};
			results.forEach((r) => { byIp[r.ip] = (byIp[r.ip] || 0) + 1; });
			const millis = results.map((r) => r.millis);
			$('demo-result').textContent = results.length + ' requests, ' + results.filter((r) => r.hot).length
				+ ' on warm connections; served by ' + Object.entries(byIp).map(([ip, n]) => ip + ' ×' + n).join(', ')
				+ '; ' + Math.min(...millis) + '–' + Math.max(...millis) + ' ms.';
		}
		catch (error) {
			$('demo-result').textContent = 'The requests failed: ' + error.message;
		}
		finally {
			button.disabled = false;
			poll();
		}
	}

	async function forbidden() {
		const button = $('forbidden');
		button.disabled = true;
		try {
			const result = await getJson('demo/forbidden');
			$('demo-result').textContent = result.ip + ' answered ' + result.status + ' and is '
				+ (result.blacklisted ? 'blacklisted.' : 'not blacklisted.');
		}
		catch (error) {
			$('demo-result').textContent = 'The request failed: ' + error.message;
		}
		finally {
			button.disabled = false;
			poll();
		}
	}

	$('send-requests').addEventListener('click', sendRequests);
	$('forbidden').addEventListener('click', forbidden);
	poll();
})();

{{%AUTOESCAPE context="HTML"}}
{{! One user. Sets ID, EMAIL, STATUS, CREATED, LAST_LOGIN, CSRF_TOKEN; ACTIVE or
    INACTIVE section; HAS_ROLE rows (ROLE); NO_ROLES; ROLE_OPTION rows (ROLE);
    CAN_ADD_ROLE; SESSION rows (CREATED, LAST_SEEN, ADDRESS, AGENT, KIND);
    NO_SESSIONS; SESSION_SCAN; EVENT rows (TIME, ACTOR, ACTION, TARGET,
    ADDRESS) or NO_EVENTS. }}
<p class="area-badge">Administrators only</p>
<h1>{{EMAIL}}</h1>
<p><a href="/admin/users">&larr; All users</a></p>
<dl class="details">
<dt>Status</dt><dd>{{STATUS}}</dd>
<dt>Created (UTC)</dt><dd>{{CREATED}}</dd>
<dt>Last login (UTC)</dt><dd>{{LAST_LOGIN}}</dd>
</dl>
<h2>Account</h2>
{{#ACTIVE}}
<form class="form-inline" action="/admin/users/{{ID}}/deactivate" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="button button-secondary">Deactivate account</button>
</form>
{{/ACTIVE}}
{{#INACTIVE}}
<form class="form-inline" action="/admin/users/{{ID}}/activate" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="button">Activate account</button>
</form>
{{/INACTIVE}}
<h2>Roles</h2>
{{#NO_ROLES}}<p class="muted">No roles.</p>{{/NO_ROLES}}
<ul class="role-list">
{{#HAS_ROLE}}<li><span class="role-name">{{ROLE}}</span>
<form class="form-inline" action="/admin/roles/revoke" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<input type="hidden" name="user_id" value="{{ID}}">
<input type="hidden" name="role" value="{{ROLE}}">
<button type="submit" class="button button-secondary">Remove</button>
</form></li>
{{/HAS_ROLE}}
</ul>
{{#CAN_ADD_ROLE}}
<form class="form-inline" action="/admin/roles/grant" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<input type="hidden" name="user_id" value="{{ID}}">
<label for="role">Add role</label>
<select id="role" name="role">
{{#ROLE_OPTION}}<option value="{{ROLE}}">{{ROLE}}</option>
{{/ROLE_OPTION}}
</select>
<button type="submit" class="button">Add</button>
</form>
{{/CAN_ADD_ROLE}}
<h2>Sessions</h2>
{{#NO_SESSIONS}}<p class="muted">No active sessions.</p>{{/NO_SESSIONS}}
{{#SESSIONS}}
<p class="muted">Live sessions among the {{SESSION_SCAN}} most recently started.</p>
<div class="table-wrap">
<table>
<thead><tr><th scope="col">Started (UTC)</th><th scope="col">Last seen (UTC)</th><th scope="col">Address</th><th scope="col">Browser</th><th scope="col">Kind</th></tr></thead>
<tbody>
{{#SESSION}}<tr><td class="when">{{CREATED}}</td><td class="when">{{LAST_SEEN}}</td><td>{{ADDRESS}}</td><td>{{AGENT}}</td><td>{{KIND}}</td></tr>
{{/SESSION}}
</tbody>
</table>
</div>
<form class="form-inline" action="/admin/users/{{ID}}/sessions/end" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="button button-secondary">End all sessions</button>
</form>
{{/SESSIONS}}
<h2>Recent security events</h2>
{{#NO_EVENTS}}<p class="muted">No events yet.</p>{{/NO_EVENTS}}
{{#EVENTS}}
<p class="muted">The newest 20 about this account or by it.</p>
<div class="table-wrap">
<table class="events">
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Who</th><th scope="col">Event</th><th scope="col">Target</th><th scope="col">Address</th></tr></thead>
<tbody>
{{#EVENT}}<tr><td class="when">{{TIME}}</td><td>{{ACTOR}}</td><td>{{ACTION}}</td><td>{{TARGET}}</td><td>{{ADDRESS}}</td></tr>
{{/EVENT}}
</tbody>
</table>
</div>
{{/EVENTS}}

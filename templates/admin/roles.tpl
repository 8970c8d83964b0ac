{{%AUTOESCAPE context="HTML"}}
{{! Roles. Sets CSRF_TOKEN; ROLE rows (NAME, DESCRIPTION, PERMISSIONS, MEMBERS,
    FIELD_ID). Editing and creating need the database permission. }}
<p class="area-badge">Administrators only</p>
<h1>Roles</h1>
<p><a href="/admin">&larr; Admin overview</a></p>
{{#ROLE}}
<section class="role-card" aria-labelledby="role-{{FIELD_ID}}">
<h2 id="role-{{FIELD_ID}}">{{NAME}} <span class="muted">({{MEMBERS}})</span></h2>
<form class="form" action="/admin/roles/{{NAME}}/edit" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<div class="field">
<label for="description-{{FIELD_ID}}">Description</label>
<input type="text" id="description-{{FIELD_ID}}" name="description" value="{{DESCRIPTION}}" maxlength="255">
</div>
<div class="field">
<label for="permissions-{{FIELD_ID}}">Permissions</label>
<input type="text" id="permissions-{{FIELD_ID}}" name="permissions" value="{{PERMISSIONS}}" aria-describedby="permissions-hint-{{FIELD_ID}}">
<p class="field-hint" id="permissions-hint-{{FIELD_ID}}">Comma-separated, e.g. read,write</p>
</div>
<div class="form-actions"><button type="submit" class="button">Save {{NAME}}</button></div>
</form>
</section>
{{/ROLE}}
<section class="role-card" aria-labelledby="new-role">
<h2 id="new-role">Create a role</h2>
<form class="form" action="/admin/roles" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<div class="field">
<label for="name">Name</label>
<input type="text" id="name" name="name" required maxlength="80" aria-describedby="name-hint">
<p class="field-hint" id="name-hint">Letters, digits, '_' and '-'</p>
</div>
<div class="field">
<label for="description">Description</label>
<input type="text" id="description" name="description" maxlength="255">
</div>
<div class="field">
<label for="permissions">Permissions</label>
<input type="text" id="permissions" name="permissions">
</div>
<div class="form-actions"><button type="submit" class="button">Create role</button></div>
</form>
</section>

{{%AUTOESCAPE context="HTML"}}
{{! Confirmation page, e.g. when a cross-site request tried to log the user out. Sets CSRF_TOKEN. }}
<h1>Log out</h1>
<p>Do you want to log out of Music Festival Organizer?</p>
<form class="form-inline" action="/logout" method="post">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="button">Log out</button>
<a class="button button-secondary" href="/">Cancel</a>
</form>

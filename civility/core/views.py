from django.contrib.auth import views as auth_views
def home(r): pass
def healthz(r): pass
LoginView = auth_views.LoginView
LogoutView = auth_views.LogoutView

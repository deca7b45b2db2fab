"""How the kiosk looks: big type and touch targets for a counter screen, in one style sheet."""

MIN_TOUCH = 64
"""The least height of anything a finger taps, in pixels."""

STYLE = """
QWidget#kiosk { background: #f5f2ec; }
QWidget#kiosk QWidget { font-size: 20px; }
QWidget#kiosk QLabel { color: #2b2a27; }
QWidget#kiosk QLabel[role="title"] { font-size: 30px; font-weight: 700; }
QWidget#kiosk QLabel[role="section"] { font-size: 22px; font-weight: 700; margin-top: 6px; }
QWidget#kiosk QLabel[role="hint"] { color: #6d675c; font-size: 17px; }
QWidget#kiosk QLabel[role="big"] { font-size: 28px; font-weight: 700; }
QWidget#kiosk QLabel[role="huge"] { font-size: 44px; font-weight: 700; }
QWidget#kiosk QLabel[on="true"] { color: white; }
QWidget#kiosk QFrame#header { background: #2e6b4f; }
QWidget#kiosk QFrame#header QLabel { color: white; font-size: 20px; }
QWidget#kiosk QFrame#header QPushButton { background: #ffffff; color: #2e6b4f; border: none; }
QWidget#kiosk QPushButton {
    min-height: 64px; padding: 6px 18px; border-radius: 12px; background: white;
    border: 2px solid #cfc7b8; color: #2b2a27; }
QWidget#kiosk QPushButton:pressed { background: #e4ddd0; }
QWidget#kiosk QPushButton:checked { background: #2e6b4f; border-color: #2e6b4f; color: white; }
QWidget#kiosk QPushButton:disabled { color: #a39d92; border-color: #e0dad0; background: #f0ece5; }
QWidget#kiosk QPushButton[keypad="true"] { font-size: 30px; font-weight: 600; }
QWidget#kiosk QPushButton[kind="primary"] { background: #2e6b4f; border-color: #2e6b4f; color: white; font-weight: 700; }
QWidget#kiosk QPushButton[kind="primary"]:disabled { background: #a9c4b6; border-color: #a9c4b6; color: #eef4f0; }
QWidget#kiosk QPushButton[kind="danger"] { background: #c62828; border-color: #c62828; color: white; font-weight: 700; }
QWidget#kiosk QPushButton[kind="danger"]:disabled { background: #e6a9a9; border-color: #e6a9a9; }
QWidget#kiosk QPushButton[kind="danger"] QLabel { color: white; }
QWidget#kiosk QLineEdit, QWidget#kiosk QPlainTextEdit, QWidget#kiosk QTimeEdit {
    min-height: 56px; font-size: 22px; padding: 4px 10px; border: 2px solid #cfc7b8; border-radius: 10px;
    background: white; }
QWidget#kiosk QTimeEdit { font-size: 30px; }
QWidget#kiosk QTimeEdit::up-button, QWidget#kiosk QTimeEdit::down-button { width: 0px; border: none; }
QWidget#kiosk QAbstractSpinBox QLineEdit { border: none; padding: 0; margin: 0; min-height: 0; background: transparent; }
QWidget#kiosk QCheckBox { font-size: 21px; spacing: 14px; min-height: 56px; }
QWidget#kiosk QCheckBox::indicator { width: 36px; height: 36px; }
QWidget#kiosk QLabel#pinDots { font-size: 40px; letter-spacing: 6px; }
QWidget#kiosk QScrollArea { background: transparent; border: none; }
QWidget#kiosk QScrollBar:vertical { width: 22px; background: #ebe6dc; border-radius: 11px; margin: 0; }
QWidget#kiosk QScrollBar::handle:vertical { background: #b9b1a2; border-radius: 11px; min-height: 60px; }
QWidget#kiosk QScrollBar::add-line:vertical, QWidget#kiosk QScrollBar::sub-line:vertical { height: 0; }
QWidget#kiosk QScrollBar::add-page:vertical, QWidget#kiosk QScrollBar::sub-page:vertical { background: none; }
QWidget#kiosk QScrollArea > QWidget > QWidget { background: transparent; }
"""

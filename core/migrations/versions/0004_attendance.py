"""attendance: register operations and marks, certificates, trainer device offline cache

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offline_device_state',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_offline_device_state'))
    )
    op.create_table('offline_pending_ops',
    sa.Column('op_id', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('hlc', sa.String(length=24), nullable=False),
    sa.Column('mark', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('op_id', name=op.f('pk_offline_pending_ops'))
    )
    with op.batch_alter_table('offline_pending_ops', schema=None) as batch_op:
        batch_op.create_index('idx_offline_pending_unsynced', ['synced_at', 'hlc'], unique=False)

    op.create_table('offline_rosters',
    sa.Column('session_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_offline_rosters'))
    )
    op.create_table('attendance_marks',
    sa.Column('attendee_id', sa.Integer(), nullable=False),
    sa.Column('day_index', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('time', sa.String(length=5), nullable=True),
    sa.Column('hlc', sa.String(length=24), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('op_id', sa.String(length=64), nullable=False),
    sa.Column('recorded_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_attendance_marks_attendee_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['course_sessions.id'], name=op.f('fk_attendance_marks_session_id_course_sessions')),
    sa.PrimaryKeyConstraint('attendee_id', 'day_index', 'field', name=op.f('pk_attendance_marks'))
    )
    with op.batch_alter_table('attendance_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_marks_session_id'), ['session_id'], unique=False)

    op.create_table('attendance_ops',
    sa.Column('op_id', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('hlc', sa.String(length=24), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('attendee_id', sa.Integer(), nullable=False),
    sa.Column('day_index', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('time', sa.String(length=5), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=120), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_attendance_ops_attendee_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['course_sessions.id'], name=op.f('fk_attendance_ops_session_id_course_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_ops_user_id_users')),
    sa.PrimaryKeyConstraint('op_id', name=op.f('pk_attendance_ops'))
    )
    with op.batch_alter_table('attendance_ops', schema=None) as batch_op:
        batch_op.create_index('idx_attendance_ops_cell', ['attendee_id', 'day_index', 'field'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_ops_session_id'), ['session_id'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('attendee_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=48), nullable=False),
    sa.Column('venue_id', sa.String(length=48), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('course_name', sa.String(length=120), nullable=False),
    sa.Column('trainer_name', sa.String(length=120), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_90_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_30_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_certificates_attendee_id_attendees')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_certificates_booking_id_bookings')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses')),
    sa.ForeignKeyConstraint(['session_id'], ['course_sessions.id'], name=op.f('fk_certificates_session_id_course_sessions')),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_certificates_trainer_id_users')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_certificates_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('attendee_id', name=op.f('uq_certificates_attendee_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('idx_certificates_expiry', ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_session_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_booking_id'))
        batch_op.drop_index('idx_certificates_expiry')

    op.drop_table('certificates')
    with op.batch_alter_table('attendance_ops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_ops_session_id'))
        batch_op.drop_index('idx_attendance_ops_cell')

    op.drop_table('attendance_ops')
    with op.batch_alter_table('attendance_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_marks_session_id'))

    op.drop_table('attendance_marks')
    op.drop_table('offline_rosters')
    with op.batch_alter_table('offline_pending_ops', schema=None) as batch_op:
        batch_op.drop_index('idx_offline_pending_unsynced')

    op.drop_table('offline_pending_ops')
    op.drop_table('offline_device_state')
